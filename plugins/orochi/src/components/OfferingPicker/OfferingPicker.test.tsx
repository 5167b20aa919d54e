import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, waitFor } from '@testing-library/react';
import { orochiApiRef } from '../../api';
import { orochiApiMock } from '../../__testUtils__/orochiApiMock';
import { OfferingPicker } from './OfferingPicker';

const optionTexts = () =>
  screen
    .queryAllByRole('option', { hidden: true })
    .map(o => o.textContent?.trim())
    .filter(Boolean);

function props(choice: 'size' | 'version', formData?: string | number) {
  return {
    onChange: jest.fn(),
    formData,
    schema: { title: choice },
    uiSchema: { 'ui:options': { choice } },
    required: false,
    rawErrors: [],
  } as any;
}

describe('OfferingPicker', () => {
  it('offers the sizes of the installation and selects its default', async () => {
    const field = props('size');
    renderInTestApp(<OfferingPicker {...field} />, { apis: [[orochiApiRef, orochiApiMock()]] });
    await waitFor(() => expect(field.onChange).toHaveBeenCalledWith('small'));
    await waitFor(() =>
      expect(optionTexts()).toEqual(['Small (1 CU: 1 vCPU, 2 GiB)', 'Medium (2 CU: 2 vCPU, 4 GiB)', 'Large (4 CU: 4 vCPU, 8 GiB)']),
    );
  });

  it('offers versions as numbers and keeps a choice already made', async () => {
    const chosen = props('size', 'medium');
    renderInTestApp(<OfferingPicker {...chosen} />, { apis: [[orochiApiRef, orochiApiMock()]] });
    await waitFor(() => expect(optionTexts()).toContain('Medium (2 CU: 2 vCPU, 4 GiB)'));
    expect(chosen.onChange).not.toHaveBeenCalled();

    const version = props('version');
    renderInTestApp(<OfferingPicker {...version} />, { apis: [[orochiApiRef, orochiApiMock()]] });
    await waitFor(() => expect(version.onChange).toHaveBeenCalledWith(15));
  });

  it('says when the choices cannot be loaded', async () => {
    const api = orochiApiMock({ getOffering: jest.fn().mockRejectedValue(new Error('offline')) });
    renderInTestApp(<OfferingPicker {...props('size')} />, { apis: [[orochiApiRef, api]] });
    expect(await screen.findByText("Could not load Orochi's choices: offline")).toBeInTheDocument();
  });
});
