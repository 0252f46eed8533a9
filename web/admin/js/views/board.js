// Доска просрочек: по каждому исполнителю — открыто, просрочено, срок сегодня, медиана до ответа, доля возвратов.
import { request } from '../api.js';
import { el, number, row, table, time } from '../dom.js';

export async function boardView(root, ctx) {
  const data = await request('/v1/admin/board');
  const executors = [...data.executors].sort((a, b) => b.overdue - a.overdue || b.open - a.open);
  const totals = executors.reduce((t, e) => ({ open: t.open + e.open, overdue: t.overdue + e.overdue,
    due: t.due + e.due_today }), { open: 0, overdue: 0, due: 0 });
  const link = (e) => (ctx.user.role === 'head' ? e.name
    : el('a', { href: `#/cases?executor=${encodeURIComponent(e.id)}&overdue=true` }, e.name));
  root.replaceChildren(el('h1', { tabindex: '-1' }, 'Просрочки по исполнителям'),
    el('p', { class: 'muted' }, 'Данные на ', time(data.generated_at), '.'),
    el('ul', { class: 'totals' },
      el('li', {}, el('span', {}, 'Открыто'), el('strong', {}, number(totals.open))),
      el('li', { class: totals.overdue ? 'total-danger' : '' }, el('span', {}, 'Просрочено'), el('strong', {}, number(totals.overdue))),
      el('li', {}, el('span', {}, 'Срок сегодня'), el('strong', {}, number(totals.due)))),
    table('Исполнители', ['Исполнитель', 'Открыто', 'Просрочено', 'Срок сегодня', 'Медиана до ответа, ч', 'Возвращено ответов'],
      executors.map((e) => {
        const tr = row(link(e), number(e.open), number(e.overdue), number(e.due_today),
          e.median_hours_to_answer == null ? '—' : number(e.median_hours_to_answer, 1),
          e.returned_share == null ? '—' : `${number(e.returned_share * 100)}%`);
        if (e.overdue > 0) tr.classList.add('row-danger');
        return tr;
      })));
}
