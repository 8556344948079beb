import multer, { MulterError } from 'multer';
import type { RequestHandler } from 'express';
import { AppError } from '@argus/contracts';

export interface UploadLimits {
  maxUploadBytes: number;
}

/**
 * Parses multipart/form-data with exactly one file in `field`, held in memory (bounded by
 * `maxUploadBytes`). Multer's errors become our stable codes.
 */
export function multipartImage(field: string, limits: UploadLimits): RequestHandler {
  const parse = multer({
    storage: multer.memoryStorage(),
    // fieldNameSize must be given: multer checks field names only when it is set.
    limits: {
      fileSize: limits.maxUploadBytes,
      files: 1,
      fields: 32,
      fieldSize: 8 * 1024,
      fieldNameSize: 100,
      parts: 40,
    },
  }).single(field);
  return (req, res, next) => {
    if (!req.is('multipart/form-data')) {
      next(
        new AppError(
          'missing_image',
          `send the image as multipart/form-data in a file field named "${field}"`,
        ),
      );
      return;
    }
    parse(req, res, (err: unknown) => {
      if (!err) {
        if (!req.file) next(new AppError('missing_image', `no file in the form field "${field}"`));
        else next();
        return;
      }
      next(fromMulterError(err, field, limits));
    });
  };
}

function fromMulterError(err: unknown, field: string, limits: UploadLimits): AppError {
  if (!(err instanceof MulterError)) {
    return new AppError('invalid_request', `the multipart body cannot be read: ${(err as Error).message}`);
  }
  switch (err.code) {
    case 'LIMIT_FILE_SIZE':
      return new AppError('payload_too_large', `the file is larger than ${limits.maxUploadBytes} bytes`);
    case 'LIMIT_UNEXPECTED_FILE':
    case 'LIMIT_FILE_COUNT':
      return new AppError('invalid_request', `send exactly one file, in the form field "${field}"`);
    case 'LIMIT_FIELD_VALUE':
    case 'LIMIT_FIELD_KEY':
      return new AppError('invalid_option', 'a form field is too long');
    default:
      return new AppError('invalid_request', `the multipart body was refused: ${err.message}`);
  }
}

/**
 * Reads a form that carries no file (DeepStack's `POST /v1/vision/custom/list`, whose only
 * field may be `api_key`). A body that is not multipart is an empty form, not an error.
 */
export function multipartFields(limits: UploadLimits): RequestHandler {
  const parse = multer({
    storage: multer.memoryStorage(),
    limits: { files: 0, fields: 32, fieldSize: 8 * 1024, fieldNameSize: 100, parts: 32 },
  }).none();
  return (req, res, next) => {
    if (!req.is('multipart/form-data')) {
      req.body = {};
      next();
      return;
    }
    parse(req, res, (err: unknown) => next(err ? fromMulterError(err, 'api_key', limits) : undefined));
  };
}
