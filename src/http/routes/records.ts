import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Actor } from '../../services/context.js';
import type { Services } from '../../services/index.js';
import { actorOf, requireAuth } from '../auth.js';
import {
  AnswersPatch,
  Assign,
  CaseNumberParams,
  errorResponses,
  HistoryEntry,
  IdParams,
  listOf,
  Message,
  MessagePage,
  MessageParams,
  MoveMessage,
  Note,
  NoteCreate,
  Notification,
  OlderMessagesQuery,
  QueueCounts,
  RecordQuery,
  RecordSummary,
  RecordView,
  StatusChange,
} from '../../contract/index.js';

/** Cases: reading, locking, editing, replying, moving, notes and history. */
export const recordRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { records, replies, moves, assignment, accessLog } = services;
  app.addHook('preHandler', requireAuth);
  /**
   * A read of one case (its view, older messages, notes, history) goes into the access log
   * once it succeeded; lists do not: a list shows many cases at a glance, and a row per case
   * listed would bury the reads that matter (DESIGN.md §9).
   */
  async function caseRead<T>(actor: Actor, caseNumber: number, read: (actor: Actor, caseNumber: number) => Promise<T>): Promise<T> {
    const result = await read(actor, caseNumber);
    await accessLog.caseRead(actor, caseNumber);
    return result;
  }
  const one = { tags: ['records'], params: CaseNumberParams, response: { 200: RecordView, ...errorResponses } };

  app.get(
    '/surveys/:id/records',
    {
      schema: {
        tags: ['records'],
        params: IdParams,
        querystring: RecordQuery,
        response: { 200: listOf(RecordSummary), ...errorResponses },
      },
    },
    async (request) => records.list(actorOf(request), request.params.id, request.query),
  );
  app.get(
    '/surveys/:id/queue',
    { schema: { tags: ['records'], params: IdParams, response: { 200: QueueCounts, ...errorResponses } } },
    async (request) => assignment.queueCounts(actorOf(request), request.params.id),
  );
  app.get('/records/:caseNumber', { schema: one }, async (request) =>
    caseRead(actorOf(request), request.params.caseNumber, (actor, n) => records.get(actor, n)),
  );
  app.get(
    '/records/:caseNumber/messages',
    {
      schema: {
        tags: ['records'],
        params: CaseNumberParams,
        querystring: OlderMessagesQuery,
        response: { 200: MessagePage, ...errorResponses },
      },
    },
    async (request) =>
      caseRead(actorOf(request), request.params.caseNumber, (actor, n) => records.olderMessages(actor, n, request.query.before)),
  );
  app.post('/records/:caseNumber/lock', { schema: one }, async (request) => records.lock(actorOf(request), request.params.caseNumber));
  app.post('/records/:caseNumber/release', { schema: one }, async (request) =>
    records.release(actorOf(request), request.params.caseNumber),
  );
  app.post('/records/:caseNumber/assign', { schema: { ...one, body: Assign } }, async (request) =>
    assignment.assign(actorOf(request), request.params.caseNumber, request.body.userId),
  );
  app.patch('/records/:caseNumber', { schema: { ...one, body: AnswersPatch } }, async (request) =>
    records.editAnswers(actorOf(request), request.params.caseNumber, request.body.answers, request.body.version),
  );
  // The body is optional: `{version}` names the reading of the case the action was based on.
  const statusChange = {
    schema: { ...one, body: StatusChange },
    // Fastify validates a missing body as `undefined`; a POST without one means `{}`.
    preValidation: async (request: { body: unknown }) => {
      request.body ??= {};
    },
  };
  app.post('/records/:caseNumber/close', statusChange, async (request) =>
    records.close(actorOf(request), request.params.caseNumber, request.body.version),
  );
  app.post('/records/:caseNumber/reopen', statusChange, async (request) =>
    records.reopen(actorOf(request), request.params.caseNumber, request.body.version),
  );

  app.post(
    '/records/:caseNumber/notifications',
    { schema: { tags: ['records'], params: CaseNumberParams, body: Notification, response: { 202: Message, ...errorResponses } } },
    async (request, reply) => reply.status(202).send(await replies.reply(actorOf(request), request.params.caseNumber, request.body)),
  );
  app.post(
    '/records/:caseNumber/messages/:messageId/retry',
    { schema: { tags: ['records'], params: MessageParams, response: { 202: Message, ...errorResponses } } },
    async (request, reply) =>
      reply.status(202).send(await replies.retry(actorOf(request), request.params.caseNumber, request.params.messageId)),
  );
  app.post(
    '/records/:caseNumber/messages/:messageId/move',
    {
      schema: {
        tags: ['records'],
        params: MessageParams,
        body: MoveMessage,
        // 201 with the new case (rule 9); 200 with the existing case named by `toCase`.
        response: { 200: RecordView, 201: RecordView, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { comment, toCase } = request.body;
      const record = await moves.moveMessage(actorOf(request), request.params.caseNumber, request.params.messageId, comment ?? '', toCase);
      return reply.status(toCase === undefined ? 201 : 200).send(record);
    },
  );

  app.get(
    '/records/:caseNumber/notes',
    { schema: { tags: ['records'], params: CaseNumberParams, response: { 200: listOf(Note), ...errorResponses } } },
    async (request) => ({
      items: await caseRead(actorOf(request), request.params.caseNumber, (actor, n) => records.notes(actor, n)),
      nextCursor: null,
    }),
  );
  app.post(
    '/records/:caseNumber/notes',
    {
      schema: {
        tags: ['records'],
        params: CaseNumberParams,
        body: NoteCreate,
        response: { 201: Note, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await records.addNote(actorOf(request), request.params.caseNumber, request.body.text)),
  );
  app.get(
    '/records/:caseNumber/history',
    { schema: { tags: ['records'], params: CaseNumberParams, response: { 200: listOf(HistoryEntry), ...errorResponses } } },
    async (request) => ({
      items: await caseRead(actorOf(request), request.params.caseNumber, (actor, n) => records.history(actor, n)),
      nextCursor: null,
    }),
  );
};
