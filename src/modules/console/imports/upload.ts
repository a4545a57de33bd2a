// Multipart parsing for the import page and the 对账 page's statement upload. It must run before the CSRF check (which reads _csrf
// from the parsed body), so app.ts mounts it ahead of csrf; it only reads a body for a signed-in
// finance admin on the import path, under a hard size limit. An import's file goes to a temporary
// file that its job's worker reads (the job removes it): a 20 MB upload is never held in memory on
// the main thread. A statement for 对账 is small and stays in memory.
import { unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RequestHandler } from 'express';
import multer from 'multer';

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
export const IMPORT_UPLOAD_DIR = path.join(tmpdir(), 'campus-pay-imports');

const limits = { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10 };
const inMemory = multer({ storage: multer.memoryStorage(), limits }).single('file');
const onDisk = multer({ dest: IMPORT_UPLOAD_DIR, limits }).single('file');

export const consoleUploads: RequestHandler = (req, res, next) => {
  if (req.method !== 'POST' || !/^\/console\/(imports\/(people|bills|loans)|reconcile\/upload)$/.test(req.path) || req.user?.role !== 'finance_admin') return next();
  const single = req.path.startsWith('/console/imports/') ? onDisk : inMemory;
  single(req, res, (err?: unknown) => {
    if (err) {
      const code = (err as { code?: string }).code;
      req.uploadError = code === 'LIMIT_FILE_SIZE' ? '文件过大（最大20MB）' : '上传失败，请重新选择文件';
      req.body ??= {};
    }
    // A file nobody took (the CSRF check refused the form, the page answered an error) is removed
    // once the answer is sent; a job that took it removes it when it ends.
    const file = req.file;
    if (file?.path) res.once('close', () => void (req.uploadTaken || unlink(file.path).catch(() => undefined)));
    next();
  });
};

declare module 'express-serve-static-core' {
  interface Request {
    uploadError?: string;
    /** Set by the handler that keeps the uploaded file on disk (an import job). */
    uploadTaken?: boolean;
  }
}
