// The display transforms an output can use: the engine's output ids with their names, as
// color/src/output/catalog.rs lists them (the server has no route listing them; the UI test
// checks this list against that file, and the server refuses an id it does not know).

/** @type {[string, string][]} id, name */
export const DISPLAYS = [
  ['aces2-sdr-rec709', 'ACES 2.0 SDR 100 nit Rec.709 (BT.1886)'],
  ['aces2-sdr-p3d65', 'ACES 2.0 SDR 100 nit P3-D65 (gamma 2.6)'],
  ['aces2-hdr-rec2100-pq500', 'ACES 2.0 HDR 500 nit Rec.2100 PQ (P3-D65 limited)'],
  ['aces2-hdr-rec2100-pq1000', 'ACES 2.0 HDR 1000 nit Rec.2100 PQ (P3-D65 limited)'],
  ['aces2-hdr-rec2100-pq2000', 'ACES 2.0 HDR 2000 nit Rec.2100 PQ (P3-D65 limited)'],
  ['aces2-hdr-rec2100-pq4000', 'ACES 2.0 HDR 4000 nit Rec.2100 PQ (P3-D65 limited)'],
  ['aces2-hdr-p3d65-pq500', 'ACES 2.0 HDR 500 nit P3-D65 PQ'],
  ['aces2-hdr-p3d65-pq1000', 'ACES 2.0 HDR 1000 nit P3-D65 PQ'],
  ['aces2-hdr-p3d65-pq2000', 'ACES 2.0 HDR 2000 nit P3-D65 PQ'],
  ['aces2-hdr-p3d65-pq4000', 'ACES 2.0 HDR 4000 nit P3-D65 PQ'],
  ['aces2-hdr-rec2100-hlg1000', 'ACES 2.0 HDR 1000 nit Rec.2100 HLG (P3-D65 limited)'],
  ['aces1-sdr-rec709', 'ACES 1.3 SDR video Rec.709 (BT.1886)'],
  ['aces1-hdr-rec2100-pq1000', 'ACES 1.3 HDR 1000 nit Rec.2100 PQ (Rec.2020 limited)'],
];
