/** The API contract (DESIGN.md §4), one import for routes, services and the console. */
export * from './alerts.js';
export * from './audit.js';
export * from './common.js';
export * from './events.js';
export * from './export.js';
export * from './numbers.js';
export * from './organisation.js';
export * from './outbound-webhooks.js';
export * from './privacy.js';
export * from './records.js';
export * from './reports.js';
export * from './simulator.js';
export * from './surveys.js';
export * from './team.js';
export * from './users.js';
export * from './languages.js';
