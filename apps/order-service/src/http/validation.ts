import { BadRequestException } from '@nestjs/common';
import type { z } from 'zod';

export interface FieldError {
  path: string;
  message: string;
}

/** The 400 body of every invalid request: a summary and one entry per bad field (`lines.0.quantity`). */
export class RequestValidationError extends BadRequestException {
  constructor(message: string, errors: FieldError[]) {
    super({ message, errors });
  }
}

/** Parses `value` or throws a 400 naming every bad field, prefixed with `where` (e.g. `id`). */
export function parseRequest<S extends z.ZodType>(
  schema: S,
  value: unknown,
  message: string,
  where?: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new RequestValidationError(
    message,
    result.error.issues.map((issue) => ({
      path: [where, ...issue.path.map(String)].filter((p) => p !== undefined && p !== '').join('.'),
      message: issue.message,
    })),
  );
}
