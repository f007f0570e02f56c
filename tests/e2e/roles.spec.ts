import { expect, test, type Page } from '@playwright/test';

async function drop(page: Page, name: string, text: string) {
  await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
}

const source = (page: Page, file: string) => page.locator(`[data-testid="source"][data-file="${file}"]`);

// Points in whole numbers and no name that says money: the guess is a customers file.
const MEMBERS = 'member,date,points\nM1,2024-01-05,120\nM2,2024-01-07,80\nM1,2024-02-11,45\nM3,2024-03-02,300\n';
const SIGNUPS = 'customer_id,name,region,signup_date\nC1,Alice,North,2024-01-05\nC2,Bob,South,2024-02-11\n';

test('a guessed role is changed in the page: the file is mapped again for it, applied, and kept after a reload', async ({ page }) => {
  test.setTimeout(300_000); // two files, four applies and a reload with the engine started twice
  await page.goto('/');
  await drop(page, 'members.csv', MEMBERS);
  const members = source(page, 'members.csv');
  // The role is a control with a name that says which file it is for.
  const role = page.getByRole('combobox', { name: 'members.csv 的用途' });
  await expect(role).toHaveValue('customers');
  expect(await role.locator('option').allTextContents()).toEqual(['订单', '客户', '行为事件']);
  await expect(members.getByTestId('table-report')).toContainText('客户文件载入报告');

  // Read as orders: the columns are mapped again for orders (the one number column is the amount) and applied.
  await role.selectOption('orders');
  await expect(members.getByTestId('report-rows_read')).toHaveText('4');
  await expect(members.getByTestId('report-rows_loaded')).toHaveText('4');
  await expect(page.getByTestId('kpi-customers')).toHaveAttribute('data-value', '3');
  await members.getByTestId('mapping-toggle').click();
  await expect(members.getByTestId('map-customer_id')).toHaveValue('member');
  await expect(members.getByTestId('map-order_ts')).toHaveValue('date');
  await expect(members.getByTestId('map-amount')).toHaveValue('points');

  // A customers file next to it. Read as orders it lacks an amount: it says so and is not applied, the orders stay.
  await drop(page, 'signups.csv', SIGNUPS);
  const signups = source(page, 'signups.csv');
  const signupsRole = page.getByRole('combobox', { name: 'signups.csv 的用途' });
  await expect(signupsRole).toHaveValue('customers');
  await signupsRole.selectOption('orders');
  await expect(signups.getByTestId('mapping-missing')).toHaveText('请为以下字段选择列：金额');
  await expect(signups.getByTestId('apply-mapping')).toBeDisabled();
  await expect(page.getByTestId('kpi-customers')).toHaveAttribute('data-value', '3');
  // As events and back to customers: each time mapped for the role and applied.
  await signupsRole.selectOption('events');
  await expect(signups.getByTestId('table-report')).toContainText('行为事件文件载入报告');
  await expect(signups.getByTestId('map-event_ts')).toHaveValue('signup_date');
  await signupsRole.selectOption('customers');
  await expect(signups.getByTestId('table-report')).toContainText('客户文件载入报告');
  await expect(page.getByTestId('kpi-customers')).toHaveAttribute('data-value', '3');

  // In English the control says the same.
  await page.getByTestId('lang').click();
  await expect(page.getByRole('combobox', { name: 'Role of members.csv' })).toHaveValue('orders');
  expect(await page.getByRole('combobox', { name: 'Role of members.csv' }).locator('option').allTextContents()).toEqual(['Orders', 'Customers', 'Events']);
  await page.getByTestId('lang').click();

  // The chosen role and mapping come back with the notebook.
  await page.reload();
  await expect(page.getByRole('combobox', { name: 'members.csv 的用途' })).toHaveValue('orders');
  await expect(page.getByRole('combobox', { name: 'signups.csv 的用途' })).toHaveValue('customers');
  await expect(page.getByTestId('kpi-customers')).toHaveAttribute('data-value', '3');
});

test('a header written twice is said on the source, in both languages, and the other column can be picked', async ({ page }) => {
  await page.goto('/');
  await drop(page, 'twice.csv', 'order_id,customer_id,order_date,amount,amount\nO1,C1,2024-01-05,120,3\nO2,C2,2024-01-07,80,1\nO3,C1,2024-02-11,45,2\n');
  const twice = source(page, 'twice.csv');
  const note = twice.getByTestId('mapping-note');
  await expect(note).toHaveText('“amount”、“amount_1”像是同一个表头出现了两次：现在把“amount”读作“金额”。如果应当用另一列，请在字段映射中改选。');
  await expect(page.getByTestId('kpi-customers')).toHaveAttribute('data-value', '2');
  await expect(twice.getByTestId('map-quantity')).toHaveValue('');
  await page.getByTestId('lang').click();
  await expect(note).toHaveText('"amount", "amount_1" look like one header written twice: "amount" is read as Amount. If the other is the right one, choose it in the mapping.');
  // Picking the other column: the note follows the mapping.
  await twice.getByTestId('mapping-toggle').click();
  await twice.getByTestId('map-amount').selectOption('amount_1');
  await expect(note).toContainText('"amount_1" is read as Amount');
});
