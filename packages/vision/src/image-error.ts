/**
 * Why an image could not be read, as the clients' stable error codes name it. The vision
 * package knows images, not HTTP: callers turn this into their own error (the gateway's
 * and the worker's `AppError`, whose status comes from the contracts package).
 */
export type ImageErrorCode = 'unsupported_media_type' | 'invalid_image' | 'image_too_large' | 'timeout';

export class ImageError extends Error {
  override readonly name = 'ImageError';

  constructor(
    readonly code: ImageErrorCode,
    message: string,
  ) {
    super(message);
  }
}
