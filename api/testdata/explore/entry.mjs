// The drawing library of the /explore page, bundled into one browser script that sets the
// global ExploreLib. See README.md for how it is built.
export { default as Graph } from 'graphology';
export { default as Sigma } from 'sigma';
export { NodeCircleProgram, EdgeRectangleProgram } from 'sigma/rendering';
export { NodeSquareProgram } from '@sigma/node-square';
export { default as forceAtlas2 } from 'graphology-layout-forceatlas2';
