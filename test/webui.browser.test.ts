/**
 * The WebUI in a real browser: Debian's chromium, driven by playwright-core, against the
 * built gateway, a worker and the real Redis. A person's path through the page, in order (each
 * step sees the jobs the earlier ones left): detect on bus.jpg, parse on zidane.jpg, a text
 * file named .jpg, a reload, the keyboard, several photos, refusals, an API key, a phone-sized
 * screen, segmentation. The steps live in test/support/webui/*.steps.ts by area; screenshots of
 * each state go to test-artifacts/webui/; with WEBUI_DOCS_IMAGES=1 the README's three are
 * refreshed in docs/images/ as well.
 */
import { startWebui, stopWebui } from './support/webui/session';
import {
  servedWithStrictCsp,
  keepsHistoryAcrossReload,
  sendsApiKey,
  fitsPhoneScreen,
  fetchedNothingElsewhere,
} from './support/webui/page.steps';
import {
  detectsBus,
  worksWithKeyboard,
  takesSeveralPhotos,
  segmentsZidane,
} from './support/webui/detect.steps';
import { parsesZidane } from './support/webui/parse.steps';
import { refusesTextFile, explainsOtherRefusals } from './support/webui/refusals.steps';

beforeAll(startWebui, 120_000);

afterAll(stopWebui);

describe('the WebUI in chromium', () => {
  it('is served at / with a CSP that allows nothing from another origin', servedWithStrictCsp);
  it(
    'detects objects in bus.jpg: boxes on the canvas, rows that match the API, a slider that filters',
    detectsBus,
  );
  it('parses zidane.jpg: overlay, legend with face and torso parts, per-person toggles', parsesZidane);
  it('says in plain words that a text file named .jpg is not an image it can process', refusesTextFile);
  it('keeps the history across a reload and draws an earlier result again', keepsHistoryAcrossReload);
  it('works with the keyboard alone: choose a photo, step through the detections', worksWithKeyboard);
  it('takes several photos at once, dropped or pasted ones too, one job each', takesSeveralPhotos);
  it('explains the other refusals in plain words: too big a file, too many pixels', explainsOtherRefusals);
  it('sends an API key, when one is given, as a Bearer token (and only a placeholder in curl)', sendsApiKey);
  it('fits a phone-sized screen', fitsPhoneScreen);
  it('segments zidane.jpg: each instance mask painted in its own colour, a row per instance', segmentsZidane);
  it('fetched nothing from another origin and logged no errors', fetchedNothingElsewhere);
});
