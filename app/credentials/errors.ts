/**
 * Why one credential could not be decrypted. A credential that fails fails its own record only
 * (it is a TransformError); callers tell the two reasons apart by `reason`, never by the message.
 * Messages never contain key material, plaintext or the master password.
 */
import { TransformError } from '../errors.js';

export type CredentialFailure =
  /** The stored fields are not in the documented format (missing, wrong type or length). */
  | 'format'
  /** Authenticated decryption failed: wrong master password, or the ciphertext was altered. */
  | 'authentication';

export class CredentialError extends TransformError {
  readonly reason: CredentialFailure;

  constructor(reason: CredentialFailure, message: string, options?: { cause?: unknown; field?: string }) {
    super(message, options);
    this.reason = reason;
  }
}

export function isCredentialError(err: unknown): err is CredentialError {
  return err instanceof CredentialError;
}
