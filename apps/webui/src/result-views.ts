/// <reference lib="dom" />
/**
 * Which view draws a completed job's result: a small registry, so a new kind of result
 * (a video, a stream) is a new file that calls `registerResultView` and is imported once by
 * main.ts, with no change to the panel. The first registered view whose `matches` accepts
 * the job draws it; the built-in ones (detect, segment, parse) are registered here.
 */
import type { DetectResult, ParseResult, SegmentResult } from '@argus/contracts';
import type { JobView } from './api.client.js';
import { detectView, type ResultView } from './detect.view.js';
import { loadImage } from './dom.js';
import type { HistoryEntry } from './history.store.js';
import { DETECT_DEFAULTS, PARSE_DEFAULTS, SEGMENT_DEFAULTS, numberField } from './options.catalog.js';
import { parseView } from './parse.view.js';

/** What a view gets from the panel. */
export interface ResultViewInput {
  entry: HistoryEntry;
  view: JobView;
  /** The uploaded photo, when this browser still has it. */
  photo: HTMLImageElement | null;
  /** A blob URL (revoked with the panel's content) for one of the job's links, fetched with the key. */
  image: (link: string | undefined) => Promise<string | undefined>;
}

export interface ResultViewKind {
  name: string;
  matches: (view: JobView) => boolean;
  create: (input: ResultViewInput) => ResultView | Promise<ResultView>;
}

const kinds: ResultViewKind[] = [];

export function registerResultView(kind: ResultViewKind): void {
  kinds.push(kind);
}

/** The view for `input.view`; a job no kind accepts is an error the panel shows. */
export function createResultView(input: ResultViewInput): ResultView | Promise<ResultView> {
  const kind = kinds.find((k) => k.matches(input.view));
  if (!kind) throw new Error(`no view for a ${input.view.task} result`);
  return kind.create(input);
}

const isImage = (view: JobView) => (view.result as { media?: string } | undefined)?.media !== 'video';

registerResultView({
  name: 'segment',
  matches: (view) => view.task === 'segment' && isImage(view),
  create: ({ entry, view, photo }) => {
    const result = view.result as SegmentResult;
    return detectView({
      result: { ...result, detections: result.instances },
      masks: result.instances.map((i) => i.mask),
      photo,
      minConfidence: numberField(entry.fields, 'confidence', SEGMENT_DEFAULTS.confidence),
      fileName: entry.fileName,
    });
  },
});

registerResultView({
  name: 'detect',
  matches: (view) => view.task === 'detect' && isImage(view),
  create: ({ entry, view, photo }) =>
    detectView({
      result: view.result as DetectResult,
      photo,
      minConfidence: numberField(entry.fields, 'confidence', DETECT_DEFAULTS.confidence),
      fileName: entry.fileName,
    }),
});

registerResultView({
  name: 'parse',
  matches: (view) => view.task === 'parse' && isImage(view),
  create: async ({ entry, view, photo, image }) => {
    const labelUrl = photo ? await image(view.links.labels) : undefined;
    const labelMap = labelUrl ? await loadImage(labelUrl).catch(() => null) : null;
    return parseView({
      result: view.result as ParseResult,
      photo,
      labelMap,
      overlayUrl: labelMap ? undefined : await image(view.links.overlay),
      alpha: numberField(entry.fields, 'alpha', PARSE_DEFAULTS.alpha),
      fileName: entry.fileName,
    });
  },
});
