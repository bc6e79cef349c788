/** The ResourceServer instance in Nest's container. */
export const RESOURCE_SERVER = Symbol('tessera.resource-server');
export const SCOPES_KEY = 'tessera:scopes';
