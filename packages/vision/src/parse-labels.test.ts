import fs from 'node:fs';
import path from 'node:path';
import { BODYPIX24_PARTS, BODYPIX_TO_LIP20, LIP, LIP20_LABELS, mapLabelsToLip20 } from './parse-labels';

const LABELS_DIR = path.resolve(__dirname, '..', '..', '..', 'models', 'labels');
const readList = (file: string) =>
  fs.readFileSync(path.join(LABELS_DIR, file), 'utf8').split('\n').filter(Boolean);

describe('label sets', () => {
  it('match the committed label files', () => {
    expect(readList('lip20.txt')).toEqual([...LIP20_LABELS]);
    expect(readList('bodypix24.txt')).toEqual([...BODYPIX24_PARTS]);
  });

  it('have Background at id 0 and the LIP ids clients rely on', () => {
    expect(LIP20_LABELS).toHaveLength(20);
    expect(LIP.Background).toBe(0);
    expect(LIP.UpperClothes).toBe(5);
    expect(LIP.Face).toBe(13);
    expect(LIP['Left-arm']).toBe(14);
    expect(LIP['Right-shoe']).toBe(19);
  });
});

describe('BODYPIX_TO_LIP20', () => {
  const lip = (part: string) => LIP20_LABELS[BODYPIX_TO_LIP20[BODYPIX24_PARTS.indexOf(part as never)]];

  it('maps every part to a body label, never to Background', () => {
    expect(BODYPIX_TO_LIP20).toHaveLength(24);
    for (const id of BODYPIX_TO_LIP20) expect(id).toBeGreaterThan(0);
  });

  it('keeps sides: left parts go to Left-*, right parts to Right-*', () => {
    expect(lip('left_upper_arm_front')).toBe('Left-arm');
    expect(lip('left_lower_arm_back')).toBe('Left-arm');
    expect(lip('left_hand')).toBe('Left-arm');
    expect(lip('right_upper_arm_back')).toBe('Right-arm');
    expect(lip('right_hand')).toBe('Right-arm');
    expect(lip('left_upper_leg_back')).toBe('Left-leg');
    expect(lip('right_lower_leg_front')).toBe('Right-leg');
    expect(lip('left_foot')).toBe('Left-shoe');
    expect(lip('right_foot')).toBe('Right-shoe');
  });

  it('maps both face halves to Face and the torso to UpperClothes', () => {
    expect(lip('left_face')).toBe('Face');
    expect(lip('right_face')).toBe('Face');
    expect(lip('torso_front')).toBe('UpperClothes');
    expect(lip('torso_back')).toBe('UpperClothes');
  });
});

describe('mapLabelsToLip20', () => {
  it('maps LIP, SCHP and CIHP spellings by name', () => {
    expect(mapLabelsToLip20(['Background', 'Upper-clothes', 'left_arm', 'RIGHT-SHOE', 'Torso-skin'])).toEqual(
      [0, LIP.UpperClothes, LIP['Left-arm'], LIP['Right-shoe'], LIP.UpperClothes],
    );
  });

  it('names a class it cannot map', () => {
    expect(() => mapLabelsToLip20(['Background', 'Belt'])).toThrow('class "Belt" has no LIP counterpart');
  });
});
