export * from './parse.types';
export * from './crops.prepare';
export * from './networks.run';
export * from './labels.fuse';
export * from './image.parse';
export * from './result.assemble';
export * from './artifacts.render';
