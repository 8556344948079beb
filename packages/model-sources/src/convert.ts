/** Runs a model entry's `conversion` on its downloaded sources and returns the ONNX bytes. */
import fs from 'node:fs';
import type { ModelEntry } from '@argus/models';
import { convertBodyPix } from './bodypix.convert';
import { decodeModel, encodeModel } from './onnx-io';
import { parseTfjsGraph, readTfjsWeights } from './tfjs-graph';
import { foldYoloInt8 } from './yolo-fold.convert';

/** `files`: source name → path of its verified download. */
export function convertSources(entry: ModelEntry, files: ReadonlyMap<string, string>): Buffer {
  const file = (name: string): string => {
    const p = files.get(name);
    if (!p) throw new Error(`model "${entry.id}": source ${name} was not downloaded`);
    return p;
  };
  switch (entry.conversion) {
    case 'tfjs-bodypix': {
      const json = entry.sources.find((s) => s.name.endsWith('.json'));
      if (!json) throw new Error(`model "${entry.id}": tfjs-bodypix needs a .json source`);
      const graph = parseTfjsGraph(fs.readFileSync(file(json.name), 'utf8'));
      // Shards in the order the graph's weightsManifest lists them.
      const shards = graph.weightsManifest.flatMap((g) => g.paths).map((p) => fs.readFileSync(file(p)));
      return encodeModel(convertBodyPix(graph, readTfjsWeights(graph, shards)));
    }
    case 'yolov8-int8-fold': {
      const [src] = entry.sources;
      return encodeModel(
        foldYoloInt8(decodeModel(fs.readFileSync(file(src.name))), {
          sourceName: src.name,
          sourceSha256: src.sha256[0],
        }),
      );
    }
    case 'none':
      throw new Error(`model "${entry.id}": no conversion to run`);
  }
}
