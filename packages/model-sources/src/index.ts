export * from './onnx-io';
export * from './tfjs-graph';
export * from './bodypix.convert';
export * from './yolo-fold.convert';
