import { apiMethodNotAllowed } from "@/lib/api/route";
import { endpointRoutes } from "@/lib/api/endpoints";

const notAllowed = apiMethodNotAllowed(["GET"]);

export const GET = endpointRoutes.get;
export const POST = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
