/** Messages of present mode and of the printed notebook: zh is the reference set of keys. */
export const zh = {
  'present.start': '演示',
  'present.start.hint': '逐个单元全屏展示：→ 或空格下一个，← 上一个，Esc 退出。隐藏的单元不展示。',
  'present.label': '演示控制',
  'present.position': '{n} / {total}',
  'present.prev': '上一个',
  'present.prev.hint': '上一个单元（← 或 PageUp）',
  'present.next': '下一个',
  'present.next.hint': '下一个单元（→、PageDown 或空格）',
  'present.exit': '退出演示',
  'present.exit.hint': '回到笔记本（Esc）',
  'print.asof': '分析基准日 {date}',
} as const;

export const en: Record<keyof typeof zh, string> = {
  'present.start': 'Present',
  'present.start.hint': 'Show one cell at a time, full screen: → or Space next, ← previous, Esc leaves. Hidden cells are skipped.',
  'present.label': 'Presentation controls',
  'present.position': '{n} / {total}',
  'present.prev': 'Previous',
  'present.prev.hint': 'Previous cell (← or PageUp)',
  'present.next': 'Next',
  'present.next.hint': 'Next cell (→, PageDown or Space)',
  'present.exit': 'Leave',
  'present.exit.hint': 'Back to the notebook (Esc)',
  'print.asof': 'As of {date}',
};
