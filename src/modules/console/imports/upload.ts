// Multipart parsing for the import page and the 对账 page's statement upload. It must run before the CSRF check (which reads _csrf
// from the parsed body), so app.ts mounts it ahead of csrf; it only reads a body for a signed-in
// finance admin on the import path, and keeps the file in memory under a hard size limit.
import type { RequestHandler } from 'express';
import multer from 'multer';

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

const single = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10 } }).single('file');

export const consoleUploads: RequestHandler = (req, res, next) => {
  if (req.method !== 'POST' || !/^\/console\/(imports\/(people|bills)|reconcile\/upload)$/.test(req.path) || req.user?.role !== 'finance_admin') return next();
  single(req, res, (err?: unknown) => {
    if (err) {
      const code = (err as { code?: string }).code;
      req.uploadError = code === 'LIMIT_FILE_SIZE' ? '文件过大（最大20MB）' : '上传失败，请重新选择文件';
      req.body ??= {};
    }
    next();
  });
};

declare module 'express-serve-static-core' {
  interface Request {
    uploadError?: string;
  }
}
