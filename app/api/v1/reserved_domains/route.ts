import { reservedDomainRoutes } from "@/lib/api/reserved-domains";
import { apiMethodNotAllowed } from "@/lib/api/route";

const notAllowed = apiMethodNotAllowed(["GET", "POST"]);

export const GET = reservedDomainRoutes.list;
export const POST = reservedDomainRoutes.create;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
