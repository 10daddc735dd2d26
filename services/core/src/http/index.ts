export * from './body.middleware.js';
export * from './cors.middleware.js';
export * from './error-handler.middleware.js';
export * from './error-response.js';
export * from './rate-limit.middleware.js';
export * from './request-context.middleware.js';
export * from './server.js';
export * from './service-app.js';
