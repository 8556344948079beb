/** The server's box colours (`overlay.png`), from the one dependency-free list in packages/vision. */
export { boxColour } from '../../../packages/vision/src/box-colours.js';
