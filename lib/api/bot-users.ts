import { createBot } from "@/lib/domain/bots/create-bot";
import { deleteBots } from "@/lib/domain/bots/delete-bots";
import { getBot } from "@/lib/domain/bots/get-bot";
import { listBotsBefore } from "@/lib/domain/bots/list-bots-before";
import { updateBot } from "@/lib/domain/bots/update-bot";
import { ApiError } from "./errors";
import { unwrap } from "./from-result";
import { keysetQuery, listBody, pathId, readJsonBody } from "./request";
import { apiRoute, NO_CONTENT } from "./route";

/** ngrok calls them bot users, and lately service users: both paths serve the same bots. */
export type BotCollection = "bot_users" | "service_users";

// ngrok's bot user, plus Botdesk's description and contact (extra fields: ngrok's clients pass them through).
const botJson = (base: string, collection: BotCollection, bot: { id: string; name: string; active: boolean; createdAt: Date; description: string; contact: string }) => ({
  id: bot.id,
  uri: `${base}/${collection}/${bot.id}`,
  name: bot.name,
  active: bot.active,
  created_at: bot.createdAt.toISOString(),
  description: bot.description,
  contact: bot.contact,
});

const notFound = () => new ApiError("ERR_BOTDESK_404", "Bot user not found.");

async function botOrNotFound(accountId: string, id: string) {
  const bot = await getBot(accountId, id);
  if (!bot) throw notFound();
  return bot;
}

/**
 * `/bot_users` (or `/service_users`): list, create, and by id get, update
 * (name, active, description, contact) and delete, each through the dashboard's own domain
 * functions, so the same rules and events apply (a member's or bot's key gets
 * ERR_NGROK_4111 from requireManager, names follow the one name rule, …).
 */
export function botUserRoutes(collection: BotCollection) {
  type Id = { id: string };
  return {
    list: apiRoute(`${collection}.list`, async ({ actor, url, base }) => {
      const query = keysetQuery(url);
      const page = await listBotsBefore(actor.account.id, query);
      const items = page.rows.map((b) => botJson(base, collection, b));
      return Response.json(listBody(collection, items, { hasMore: page.hasMore, limit: query.limit }, base, `/${collection}`, url));
    }),

    create: apiRoute(`${collection}.create`, async ({ actor, ctx, request, base }) => {
      // createBot authorizes first, then validates botUserCreateSchema (its own schema).
      const created = unwrap(await createBot(actor, await readJsonBody(request), ctx));
      return Response.json(botJson(base, collection, await botOrNotFound(actor.account.id, created.id)), { status: 201 });
    }),

    get: apiRoute<Id>(`${collection}.get`, async ({ actor, params, base }) => {
      return Response.json(botJson(base, collection, await botOrNotFound(actor.account.id, pathId(params.id))));
    }),

    update: apiRoute<Id>(`${collection}.update`, async ({ actor, ctx, request, params, base }) => {
      const id = pathId(params.id);
      // Name and status in one transaction: both change or neither does. updateBot
      // authorizes first, then validates (botUserUpdateSchema with the path's id).
      unwrap(await updateBot(actor, { ...(await readJsonBody(request)), id }, ctx));
      return Response.json(botJson(base, collection, await botOrNotFound(actor.account.id, id)));
    }),

    remove: apiRoute<Id>(`${collection}.delete`, async ({ actor, ctx, params }) => {
      unwrap(await deleteBots(actor, { ids: [pathId(params.id)] }, ctx));
      return NO_CONTENT();
    }),
  };
}
