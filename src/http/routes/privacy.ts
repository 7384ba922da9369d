import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  ContactExportQuery,
  ErasureCounts,
  ErasureRequest,
  IdParams,
  PrivacyAuditPage,
  PrivacyAuditQuery,
  RetentionCounts,
  RetentionRunRequest,
  RetentionStatus,
  errorResponses,
} from '../../contract/index.js';
import type { Services } from '../../services/index.js';
import { actorOf, requireAuth } from '../auth.js';

/** A ZIP, streamed: documented as binary. */
const Zip = Type.Unsafe<Readable>({ type: 'string', format: 'binary' });

/** Privacy duties (DESIGN.md §9): retention, erasure, access exports and their audit trail; admins only. */
export const privacyRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { retention, privacyAudit, erasure, contactExport } = services;
  app.addHook('preHandler', requireAuth);

  app.get(
    '/surveys/:id/retention',
    { schema: { tags: ['privacy'], params: IdParams, response: { 200: RetentionStatus, ...errorResponses } } },
    async (request) => retention.status(actorOf(request), request.params.id),
  );

  app.post(
    '/surveys/:id/retention/run',
    { schema: { tags: ['privacy'], params: IdParams, body: RetentionRunRequest, response: { 200: RetentionCounts, ...errorResponses } } },
    async (request) => retention.runNow(actorOf(request), request.params.id, request.body),
  );

  app.get(
    '/audit/privacy',
    { schema: { tags: ['audit'], querystring: PrivacyAuditQuery, response: { 200: PrivacyAuditPage, ...errorResponses } } },
    async (request) => privacyAudit.list(actorOf(request), request.query),
  );

  app.post(
    '/contacts/erase',
    { schema: { tags: ['privacy'], body: ErasureRequest, response: { 200: ErasureCounts, ...errorResponses } } },
    async (request) => erasure.erase(actorOf(request), request.body),
  );

  app.get(
    '/contacts/export',
    { schema: { tags: ['privacy'], querystring: ContactExportQuery, response: { 200: Zip, ...errorResponses } } },
    async (request, reply) => {
      const file = await contactExport.export(actorOf(request), request.query);
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="${file.fileName}"`)
        .send(file.stream);
    },
  );
};
