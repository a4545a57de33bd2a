// How every Express app of ours renders EJS: the one views folder, compiled templates kept unless
// told otherwise, and includes written from that folder's root ('/partials/head'). ejs resolves a
// root include by joining paths; a relative one costs a filesystem lookup on every render (ejs's
// getIncludePath calls existsSync), which was 9 % of 当前费用's CPU in the pages bench's profile.
import type { Express } from 'express';

export function useViews(app: Express, viewsDir: string, opts: { cache: boolean }): void {
  app.set('view engine', 'ejs');
  app.set('views', viewsDir);
  app.set('view cache', opts.cache);
  app.set('view options', { root: viewsDir });
}
