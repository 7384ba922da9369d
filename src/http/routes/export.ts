import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ExportQuery, IdParams, errorResponses } from '../../contract/index.js';
import type { Services } from '../../services/index.js';
import { actorOf, requireAuth } from '../auth.js';

/** A CSV or XLSX file, streamed: documented as binary. */
const Spreadsheet = Type.Unsafe<Readable>({ type: 'string', format: 'binary' });

/** A survey's cases as a spreadsheet (DESIGN.md §10 "Export"); admins and analysts. */
export const exportRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { caseExport } = services;
  app.addHook('preHandler', requireAuth);

  app.get(
    '/surveys/:id/export',
    { schema: { tags: ['records'], params: IdParams, querystring: ExportQuery, response: { 200: Spreadsheet, ...errorResponses } } },
    async (request, reply) => {
      const file = await caseExport.export(actorOf(request), request.params.id, request.query);
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', `attachment; filename="${file.fileName}"`)
        .header('cache-control', 'no-store')
        .send(file.stream);
    },
  );
};
