import type { SavedReply, SavedReplyCreate, SavedReplyPatch } from '../contract/index.js';
import { deleteSavedReply, findSavedReply, insertSavedReply, orgSavedReplies, updateSavedReply } from '../db/queries/saved-replies.js';
import { forbidden, notFound, validationFailed } from '../domain/errors.js';
import type { Actor, ServiceContext } from './context.js';
import { newId } from './ids.js';
import { savedReplyView } from './presenters.js';

/** Those who reply: analysts and admins, for reading as for writing. */
function requireReplier(actor: Actor): void {
  if (actor.role === 'viewer') throw forbidden('Saved replies are for those who reply: analysts and admins');
}

function title(value: string): string {
  const clean = value.replace(/\s+/gu, ' ').trim();
  if (!clean) throw validationFailed('A saved reply needs a title');
  return clean;
}

function text(value: string): string {
  // Kept as written, line breaks included; only space around it goes.
  const clean = value.trim();
  if (!clean) throw validationFailed('A saved reply needs text');
  return clean;
}

/** A language tag as written by a person ("en", "pt-BR"); empty means none. */
function language(value: string | null | undefined): string | null {
  const clean = value?.trim() ?? '';
  if (!clean) return null;
  if (!/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(clean)) throw validationFailed('language is a language tag such as "en" or "pt-BR"');
  return clean;
}

/**
 * Saved replies (DESIGN.md §7): an organisation's shared answers to common questions,
 * inserted into the reply box with `/`. Analysts and admins read and write them; a viewer
 * cannot reply, so has no use for them and is refused like any other write.
 */
export function createSavedReplyService(ctx: ServiceContext) {
  const { db } = ctx;
  return {
    async list(actor: Actor): Promise<SavedReply[]> {
      requireReplier(actor);
      return (await orgSavedReplies(db.kysely, actor.orgId)).map(savedReplyView);
    },

    async create(actor: Actor, input: SavedReplyCreate): Promise<SavedReply> {
      requireReplier(actor);
      const now = ctx.now();
      const row = {
        id: newId(),
        org_id: actor.orgId,
        title: title(input.title),
        text: text(input.text),
        language: language(input.language),
        created_by: actor.userId,
        created_at: now,
        updated_at: now,
      };
      await insertSavedReply(db.kysely, row);
      return savedReplyView(row);
    },

    async update(actor: Actor, id: string, patch: SavedReplyPatch): Promise<SavedReply> {
      requireReplier(actor);
      const change = {
        ...(patch.title !== undefined ? { title: title(patch.title) } : {}),
        ...(patch.text !== undefined ? { text: text(patch.text) } : {}),
        ...(patch.language !== undefined ? { language: language(patch.language) } : {}),
      };
      const row = await findSavedReply(db.kysely, actor.orgId, id);
      if (!row) throw notFound('Saved reply');
      if (Object.keys(change).length === 0) return savedReplyView(row);
      const updated = { ...row, ...change, updated_at: ctx.now() };
      await updateSavedReply(db.kysely, actor.orgId, id, { ...change, updated_at: updated.updated_at });
      return savedReplyView(updated);
    },

    async remove(actor: Actor, id: string): Promise<void> {
      requireReplier(actor);
      if (!(await deleteSavedReply(db.kysely, actor.orgId, id))) throw notFound('Saved reply');
    },
  };
}

export type SavedReplyService = ReturnType<typeof createSavedReplyService>;
