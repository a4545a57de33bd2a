// 总共 N条记录 总共 P页 第 K页: a page asked for beyond the end shows the last page.
export interface Page {
  page: number;
  pages: number;
  total: number;
  size: number;
  offset: number;
}

export function paginate(total: number, requested: number, size: number): Page {
  const pages = Math.max(1, Math.ceil(total / size));
  const page = Math.min(Math.max(1, Math.floor(requested) || 1), pages);
  return { page, pages, total, size, offset: (page - 1) * size };
}
