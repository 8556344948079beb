export * from './image-format';
export * from './letterbox';
export * from './tensor';
export * from './nms';
export * from './yolo-decode';
export * from './decode-image';
export * from './map';
