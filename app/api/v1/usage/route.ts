import { apiMethodNotAllowed } from "@/lib/api/route";
import { usageRoutes } from "@/lib/api/usage";

const notAllowed = apiMethodNotAllowed(["GET"]);

export const GET = usageRoutes.get;
export const POST = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
