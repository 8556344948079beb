import { boxColour as serverColour } from '@argus/vision';
import { boxColour } from './box-colours';

it('draws each class in the colour of the server overlay', () => {
  for (let classId = 0; classId < 80; classId++) expect(boxColour(classId)).toBe(serverColour(classId));
});
