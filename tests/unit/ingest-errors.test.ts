// Input errors cross the worker boundary (comlink) with their code and params, and the page says them in the user's language.
import { afterAll, describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import { carryInputErrors, inputErrorData, InputError } from '../../src/ingest/errors.ts';
import { i18n } from '../../src/i18n/i18n.svelte.ts';
import { problemOf, problemText } from '../../src/i18n/problems.ts';

const channel = new MessageChannel();
afterAll(() => {
  channel.port1.close();
  channel.port2.close();
});

describe('across comlink', () => {
  it('an InputError arrives with its code and params; other errors as messages', async () => {
    carryInputErrors(Comlink.transferHandlers);
    const api = {
      async load(name: string): Promise<void> {
        throw new InputError(name, 'ragged', { line: 30_003, found: 6, expected: 4 });
      },
      async boom(): Promise<void> {
        throw new Error('Binder Error: no such column');
      },
    };
    Comlink.expose(api, channel.port1);
    const remote = Comlink.wrap<typeof api>(channel.port2);
    const err = await remote.load('订单.csv').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(inputErrorData(err)).toEqual({ code: 'ragged', params: { file: '订单.csv', line: 30_003, found: 6, expected: 4 } });
    expect((err as Error).message).toBe('订单.csv, line 30003: this row has 6 values where the file has 4 columns: a value may hold an unquoted separator');

    const problem = problemOf(err);
    i18n.locale = 'zh';
    expect(problemText(problem)).toBe('订单.csv，第 30003 行：这一行有 6 个值，而文件只有 4 列：某个值里可能有未加引号的分隔符');
    i18n.locale = 'en';
    expect(problemText(problem)).toBe((err as Error).message);

    const other = await remote.boom().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(inputErrorData(other)).toBeUndefined();
    i18n.locale = 'zh';
    expect(problemText(problemOf(other))).toBe('Binder Error: no such column');
  });

  it('field names in a message follow the language', () => {
    const problem = problemOf(new InputError('a.csv', 'missing_fields', { fields: ['customer_id', 'order_ts'], columns: ['x'] }));
    i18n.locale = 'zh';
    expect(problemText(problem)).toBe('a.csv：缺少以下字段对应的列：客户编号、下单时间。请在字段映射中选择（文件的列：“x”）');
    i18n.locale = 'en';
    expect(problemText(problem)).toBe('a.csv: no column for Customer ID, Order time: choose one in the mapping (columns: "x")');
    expect(problem.text).toBe('a.csv: no column for customer_id, order_ts: choose one in the mapping (columns: "x")');
  });
});
