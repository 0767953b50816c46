import { reservedDomainRoutes } from "@/lib/api/reserved-domains";
import { apiMethodNotAllowed } from "@/lib/api/route";

const notAllowed = apiMethodNotAllowed(["GET", "PATCH", "DELETE"]);

export const GET = reservedDomainRoutes.get;
export const PATCH = reservedDomainRoutes.update;
export const DELETE = reservedDomainRoutes.remove;
export const POST = notAllowed;
export const PUT = notAllowed;
