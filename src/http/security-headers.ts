import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * Headers every answer carries (docs/security.md). The console loads only its own scripts,
 * styles and data, and no other site may frame it (clickjacking). API and webhook answers
 * hold personal data, so no browser or proxy keeps a copy.
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // Same-origin by default already; the console needs no cross-origin isolation.
    crossOriginEmbedderPolicy: false,
    // The API is never framed or embedded; the console is served with the same headers.
    frameguard: { action: 'deny' },
    // HSTS belongs to the TLS proxy that terminates HTTPS, which knows the real host.
    hsts: false,
  });
  app.addHook('onSend', async (request, reply) => {
    const path = request.url;
    if (path.startsWith('/api/') || path.startsWith('/webhooks/') || path === '/metrics' || path === '/healthz') {
      reply.header('cache-control', 'no-store');
    }
  });
}
