// /agent and every path under it: a JSON 404 saying where agents go, never the HTML page. Botdesk has no
// HTTP API for agents: ngrok's agents speak ngrok's own protocol to the agent listener (BOTDESK_AGENT_PORT).
export { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } from "@/lib/api/not-found-routes";
