// How the gateway finds the model a request is for: the OpenAI API names it in the JSON body, Kong
// OSS routes on the path, method and headers only. A global pre-function plugin copies the body's
// `model` into a request header before Kong routes (see the Gateway's doc comment for the phases,
// the sandbox and the body buffer this relies on), and every model's Ingress matches that header.

/** The request header the routing function sets from the body's `model`; each model's Ingress matches it. */
export const MODEL_HEADER = "x-gateway-model-name";
/** Set (to {@link INVALID_BODY}) when a body names no model at all; its route answers 400. */
export const ERROR_HEADER = "x-gateway-request-error";
export const INVALID_BODY = "invalid-body";
/** Where key-auth looks for the key; `Authorization: Bearer <key>` (what OpenAI clients send) is moved here. */
export const KEY_HEADER = "apikey";
/** The OpenAI endpoints whose JSON body names the model: routed by model. */
export const BODY_ROUTED_PATHS = ["/v1/chat/completions", "/v1/completions", "/v1/embeddings"] as const;
/** The model list, answered by the gateway itself from the args. */
export const MODELS_PATH = "/v1/models";
/**
 * Longest `model` value copied into the header. Served names are at most 30 characters (the model
 * server's rule); anything longer names no served model, and is not copied into a header.
 */
export const MAX_ROUTED_MODEL_LENGTH = 30;
/** `owned_by` of every entry of the model list. */
export const MODEL_OWNER = "llm-platform";

const luaString = (s: string) => JSON.stringify(s); // ASCII without escapes: the same literal in Lua

/**
 * The routing function, the `rewrite` code of the global pre-function plugin. Kong runs global
 * plugins' rewrite handlers before the router, so the header it sets is there when routes are
 * matched. It only uses what Kong's default sandbox (`untrusted_lua = sandbox`) offers: the `kong`
 * PDK and Lua's safe base library (type, string methods).
 *
 * For every request: drop any routing header the client sent (only this code sets them), and
 * move `Authorization: Bearer <key>` to the `apikey` header key-auth reads, unless an `apikey`
 * header is there already (the bearer header is removed either way, so no key reaches a model
 * server; key-auth removes `apikey`). Then, for POST to one of {@link BODY_ROUTED_PATHS}
 * carrying a key: read the JSON body and set {@link MODEL_HEADER} to its `model` when that is a
 * short name of lowercase letters, digits and hyphens (any other string names no served model and
 * falls to the 404 route), or {@link ERROR_HEADER} when the body is not a JSON object with a string
 * `model` (its route answers 400). A request without a key is left to key-auth on the catch-all
 * route (401): the body of an anonymous client is never parsed.
 *
 * The returned chunk returns a function: the pre-function plugin runs the chunk once and then the
 * function for each request, so the tables above it are built once per worker.
 */
export function routingLua(): string {
  const paths = BODY_ROUTED_PATHS.map((p) => `  [${luaString(p)}] = true,`).join("\n");
  return `-- llm-platform gateway: route OpenAI requests by the model named in their JSON body.
-- Kong runs it as a global pre-function in the rewrite phase, before the router.
local MODEL_HEADER = ${luaString(MODEL_HEADER)}
local ERROR_HEADER = ${luaString(ERROR_HEADER)}
local INVALID_BODY = ${luaString(INVALID_BODY)}
local KEY_HEADER = ${luaString(KEY_HEADER)}
local MAX_MODEL_LENGTH = ${MAX_ROUTED_MODEL_LENGTH}
local ROUTED_PATHS = {
${paths}
}

return function()
  local request = kong.request
  local upstream = kong.service.request

  -- Only this function sets the routing headers.
  upstream.clear_header(MODEL_HEADER)
  upstream.clear_header(ERROR_HEADER)

  -- OpenAI clients send "Authorization: Bearer <key>"; key-auth reads the apikey header.
  -- The bearer header is dropped either way: a key never reaches a model server.
  local key = request.get_header(KEY_HEADER)
  local authorization = request.get_header("authorization")
  if type(authorization) == "string" then
    local token = authorization:match("^%s*[Bb][Ee][Aa][Rr][Ee][Rr]%s+(%S+)%s*$")
    if token then
      upstream.clear_header("authorization")
      if not key then
        upstream.set_header(KEY_HEADER, token)
        key = token
      end
    end
  end

  if request.get_method() ~= "POST" or not ROUTED_PATHS[request.get_path()] then
    return
  end
  -- Without a key the catch-all route's key-auth answers 401: never parse an anonymous body.
  if not key then
    return
  end

  local body = request.get_body("application/json")
  local model = type(body) == "table" and body.model or nil
  if type(model) ~= "string" then
    upstream.set_header(ERROR_HEADER, INVALID_BODY)
    return
  end
  if #model <= MAX_MODEL_LENGTH and model:match("^[a-z][a-z0-9%-]*$") then
    upstream.set_header(MODEL_HEADER, model)
  end
end
`;
}

/** An error body in OpenAI's shape (`{"error": {message, type, param, code}}`), as OpenAI clients parse it. */
export function openAiError(message: string, type: string, param: string | null, code: string | null): string {
  return JSON.stringify({ error: { message, type, param, code } });
}

/** 404 for a request whose body names no model served here. */
export const MODEL_NOT_FOUND_BODY = openAiError(
  `The model named in the request body is not served here. GET ${MODELS_PATH} lists the models served.`,
  "invalid_request_error", "model", "model_not_found",
);

/** 400 for a request whose body is not a JSON object with a string `model`. */
export const INVALID_BODY_BODY = openAiError(
  "The request body must be a JSON object (Content-Type: application/json) with a string \"model\" naming a served model.",
  "invalid_request_error", "model", null,
);

/**
 * `GET /v1/models` in OpenAI's format: every served model, by name. `created` is 0: the gateway
 * does not know when a model was deployed (OpenAI clients read it as an integer).
 * The list is the same for every consumer; a model a consumer's tier may not call answers 403.
 */
export function modelListBody(models: readonly string[]): string {
  return JSON.stringify({
    object: "list",
    data: [...models].sort().map((id) => ({ id, object: "model", created: 0, owned_by: MODEL_OWNER })),
  });
}

/** `ingress.kubernetes.io/service-upstream`: Kong sends to the Service's name and port, not to the pods it lists. */
export const SERVICE_UPSTREAM_ANNOTATION = "ingress.kubernetes.io/service-upstream";

/**
 * Annotations every model Service must carry (the model server sets them on its Service; the
 * ingress controller reads them from the Service, never from an Ingress):
 * - `ingress.kubernetes.io/service-upstream: "true"`: Kong sends to the Service's cluster DNS name
 *   and port, through its virtual IP, instead of load balancing over the pod IPs itself. The mesh
 *   needs that: the gateway's sidecar then sees a request for the Service and applies its routes,
 *   connection pools, outlier detection and mutual TLS;
 * - `konghq.com/read-timeout` and `konghq.com/write-timeout`: Kong's timeouts to the Service, in
 *   milliseconds, between two successive reads or writes (not for the whole response, so a stream
 *   of tokens may last longer). Kong's default is 60 s, too short for a long generation that is
 *   not streamed. The connect timeout stays Kong's 60 s.
 */
export function modelServiceAnnotations(upstreamTimeoutSeconds: number): Record<string, string> {
  if (!Number.isInteger(upstreamTimeoutSeconds) || upstreamTimeoutSeconds < 1 || upstreamTimeoutSeconds > 86_400) {
    throw new Error(`modelServiceAnnotations: upstreamTimeoutSeconds must be a whole number of seconds from 1 to 86400, got ${upstreamTimeoutSeconds}`);
  }
  const ms = String(upstreamTimeoutSeconds * 1000);
  return {
    [SERVICE_UPSTREAM_ANNOTATION]: "true",
    "konghq.com/read-timeout": ms,
    "konghq.com/write-timeout": ms,
  };
}
