import { type StackValidationPolicy } from "@pulumi/policy";
import { isNlb, NLB_CLASS } from "../lib/load-balancers";
import { loadBalancerServices } from "./request-path";

export interface Config {
  allowedNamespaces: string[];
}

export const k8sServiceLoadBalancerGatewayOnly: StackValidationPolicy = {
  name: "k8s-service-loadbalancer-gateway-only",
  description: "Only the API gateway asks for a load balancer, and through the AWS Load Balancer Controller: no other Service (nor chart value) is of type LoadBalancer, so nothing else is reachable from outside the cluster, and no Classic Load Balancer appears untagged.",
  enforcementLevel: "advisory",
  severity: "high",
  tags: ["security", "network", "kubernetes"],
  remediationSteps: "Make the Service ClusterIP and route to it through the gateway (a model, Qdrant, Grafana…); the gateway's namespace is the policy's allowedNamespaces.",
  configSchema: {
    properties: {
      allowedNamespaces: { type: "array", items: { type: "string" }, default: ["kong"], description: "Namespaces whose Services may be load balancers (the gateway's)." },
    },
  },
  validateStack: (args, report) => {
    const { allowedNamespaces } = args.getConfig<Config>();
    for (const lb of loadBalancerServices(args.resources)) {
      if (!allowedNamespaces.includes(lb.namespace)) {
        report(`${lb.where} in namespace ${lb.namespace} is a LoadBalancer: only the gateway (namespace ${allowedNamespaces.join(" or ")}) may be reachable from outside the cluster.`, lb.urn);
      } else if (!isNlb(lb)) {
        report(`${lb.where} is not handed to the AWS Load Balancer Controller (loadBalancerClass ${NLB_CLASS}): EKS's built-in controller would create a Classic Load Balancer without the platform's tags, TLS policy or source ranges.`, lb.urn);
      }
    }
  },
};
