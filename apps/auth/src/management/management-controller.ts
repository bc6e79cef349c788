import { applyDecorators, Controller, Delete, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ManagementAuthGuard } from './management-auth.guard';
import { MANAGEMENT_PREFIX } from './management-request';

/** A management API controller: `path` under /api/v1 on the management listener, guarded. */
export const ManagementController = (path: string) =>
  applyDecorators(
    Controller(`${MANAGEMENT_PREFIX.slice(1)}/api/v1/${path}`),
    UseGuards(ManagementAuthGuard),
  );

/** A create: 201 (through `IdempotentCreates.run` where a retry must not create twice). */
export const PostCreate = (path?: string) => applyDecorators(Post(path), HttpCode(201));

/** An action on something that exists (disable, rotate, revoke): 200, nothing created. */
export const PostAction = (path: string) => applyDecorators(Post(path), HttpCode(200));

/** A DELETE: 204, no body. */
export const DeleteNoContent = (path: string) => applyDecorators(Delete(path), HttpCode(204));
