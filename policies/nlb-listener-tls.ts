import { type StackValidationPolicy } from "@pulumi/policy";
import { asRecord, plain } from "./lib";
import { loadBalancerServices } from "./request-path";

const SSL_CERT = "service.beta.kubernetes.io/aws-load-balancer-ssl-cert";
const SSL_PORTS = "service.beta.kubernetes.io/aws-load-balancer-ssl-ports";

export const nlbListenerTls: StackValidationPolicy = {
  name: "nlb-listener-tls",
  description: "Every listener of a load balancer the stack creates terminates TLS: a certificate on every port of a LoadBalancer Service, TLS or HTTPS on every aws.lb.Listener.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["security", "network", "encryption"],
  remediationSteps: "Set gateway.certificateArn in Pulumi.<stack>.yaml (the Gateway component puts it on the NLB's only port, 443); never expose a plaintext port on a load balancer.",
  validateStack: (args, report) => {
    for (const lb of loadBalancerServices(args.resources)) {
      const cert = lb.annotations[SSL_CERT];
      if (typeof cert !== "string" || cert === "") {
        report(`${lb.where} asks for a load balancer without a TLS certificate (${SSL_CERT}): its listeners would carry plaintext.`, lb.urn);
        continue;
      }
      // Without ssl-ports every port is TLS (AWS Load Balancer Controller, Service annotations); with it, only those listed.
      const listed = lb.annotations[SSL_PORTS];
      if (typeof listed !== "string" || listed.trim() === "*") continue;
      const tls = listed.split(",").map((s) => s.trim());
      const plain = lb.ports.filter((p) => !tls.includes(String(p)));
      if (plain.length > 0) report(`${lb.where} listens on port${plain.length > 1 ? "s" : ""} ${plain.join(", ")} without TLS (${SSL_PORTS} lists ${listed}).`, lb.urn);
    }
    for (const r of args.resources.filter((x) => x.type === "aws:lb/listener:Listener" || x.type === "aws:alb/listener:Listener")) {
      const protocol = String(asRecord(plain(r.props)).protocol ?? "");
      if (protocol !== "TLS" && protocol !== "HTTPS") report(`Load balancer listener ${r.name} uses ${protocol || "no protocol"}: use TLS (NLB) or HTTPS (ALB) with a certificate.`, r.urn);
    }
  },
};
