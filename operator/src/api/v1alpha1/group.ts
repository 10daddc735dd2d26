/** Identity of the MyRAGDB API. Every manifest, RBAC rule and request path derives from these. */
export const GROUP = 'myragdb.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'MyRAGDB';
export const LIST_KIND = 'MyRAGDBList';
export const PLURAL = 'myragdbs';
export const SINGULAR = 'myragdb';
export const SHORT_NAMES = ['mrdb'] as const;
export const CRD_NAME = `${PLURAL}.${GROUP}`;

/** Field manager for every server-side apply and status write. */
export const FIELD_MANAGER = 'myragdb-operator';
/** Finalizer that holds a MyRAGDB until its deletion policy has been carried out. */
export const FINALIZER = `${GROUP}/cleanup`;
