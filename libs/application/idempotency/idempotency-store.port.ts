/** Who sent a create and under which key: a retry matches only its own tenant and actor. */
export interface IdempotencyScope {
  tenantId: string;
  actor: string;
  key: string;
}

export interface StoredResponse {
  status: number;
  body: unknown;
}

/**
 * The first answer to a create sent with an Idempotency-Key, kept in Postgres. `claim` writes
 * the key before the create runs, so two concurrent requests with one key cannot both create.
 */
export interface IdempotencyStore {
  /**
   * 'claimed': this request runs the create. 'done': a stored response for the same request.
   * 'mismatch': the key was used for a different request. 'in_progress': not finished yet.
   */
  claim(
    scope: IdempotencyScope,
    requestHash: string,
  ): Promise<
    | { state: 'claimed' }
    | { state: 'done'; response: StoredResponse }
    | { state: 'mismatch' | 'in_progress' }
  >;
  complete(scope: IdempotencyScope, response: StoredResponse): Promise<void>;
  /** The create failed: the key is free again for a retry. */
  release(scope: IdempotencyScope): Promise<void>;
}
