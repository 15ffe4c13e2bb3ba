/**
 * Power spectrum of a real frame of even length N through one complex FFT of
 * N/2 points (Stockham autosort, mixed radix 2/3/4/5, generic for any other
 * prime). Whisper's frames are 400 samples: 200 = 4·2·5·5, which a radix-2
 * FFT cannot do; transformers.js falls back to Bluestein (three FFTs of 1024
 * points per frame), the bulk of its feature-extraction time.
 */
export class RealPowerSpectrum {
  readonly bins: number;
  private readonly half: number;
  private readonly stages: Stage[];
  private readonly re: Float64Array[];
  private readonly im: Float64Array[];
  /** e^{-2πik/N} for the split of the packed transform, k = 0..N/2. */
  private readonly splitCos: Float64Array;
  private readonly splitSin: Float64Array;

  constructor(readonly size: number) {
    if (size < 2 || size % 2 !== 0) throw new Error(`real FFT size must be even, got ${size}`);
    this.half = size / 2;
    this.bins = this.half + 1;
    this.stages = planStages(this.half);
    this.re = [new Float64Array(this.half), new Float64Array(this.half)];
    this.im = [new Float64Array(this.half), new Float64Array(this.half)];
    this.splitCos = new Float64Array(this.bins);
    this.splitSin = new Float64Array(this.bins);
    for (let k = 0; k < this.bins; k++) {
      this.splitCos[k] = Math.cos((2 * Math.PI * k) / size);
      this.splitSin[k] = -Math.sin((2 * Math.PI * k) / size);
    }
  }

  /** |X[k]|² for k = 0..N/2 of `frame` (length N) into `power` (length N/2 + 1). */
  power(frame: ArrayLike<number>, power: Float64Array): void {
    const m = this.half;
    // Pack even samples as real parts, odd samples as imaginary parts.
    let re = this.re[0];
    let im = this.im[0];
    for (let n = 0; n < m; n++) {
      re[n] = frame[2 * n];
      im[n] = frame[2 * n + 1];
    }
    let which = 0;
    for (const stage of this.stages) {
      stage.run(re, im, this.re[1 - which], this.im[1 - which]);
      which = 1 - which;
      re = this.re[which];
      im = this.im[which];
    }
    for (let k = 0; k <= m; k++) {
      const a = k % m;
      const b = (m - k) % m;
      // Even part E = (Z[k] + conj Z[m-k]) / 2, odd part O = (Z[k] - conj Z[m-k]) / 2i.
      const er = 0.5 * (re[a] + re[b]);
      const ei = 0.5 * (im[a] - im[b]);
      const or = 0.5 * (im[a] + im[b]);
      const oi = -0.5 * (re[a] - re[b]);
      const c = this.splitCos[k];
      const s = this.splitSin[k];
      const xr = er + c * or - s * oi;
      const xi = ei + c * oi + s * or;
      power[k] = xr * xr + xi * xi;
    }
  }
}

interface Stage {
  run(xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void;
}

/** Radices largest-first among 4, 2, 3, 5, then any remaining prime factor. */
function planStages(n: number): Stage[] {
  const stages: Stage[] = [];
  let length = n;
  let stride = 1;
  while (length > 1) {
    const radix = [4, 2, 3, 5].find((r) => length % r === 0) ?? smallestFactor(length);
    stages.push(stockhamStage(length, stride, radix));
    length /= radix;
    stride *= radix;
  }
  return stages;
}

function smallestFactor(n: number): number {
  for (let f = 2; f * f <= n; f++) if (n % f === 0) return f;
  return n;
}

/**
 * One decimation-in-frequency Stockham pass: for each of the m = length/radix
 * groups, a radix-point DFT over elements spaced m·stride apart, then the
 * twiddle e^{-2πi·r·q/length}, written to natural-order positions.
 */
function stockhamStage(length: number, stride: number, radix: number): Stage {
  const m = length / radix;
  const twCos = new Float64Array(m * radix);
  const twSin = new Float64Array(m * radix);
  for (let q = 0; q < m; q++) {
    for (let r = 0; r < radix; r++) {
      twCos[q * radix + r] = Math.cos((-2 * Math.PI * r * q) / length);
      twSin[q * radix + r] = Math.sin((-2 * Math.PI * r * q) / length);
    }
  }
  const shape = { m, stride, spread: m * stride, twCos, twSin };
  if (radix === 2) return { run: (xr, xi, yr, yi) => radix2(shape, xr, xi, yr, yi) };
  if (radix === 4) return { run: (xr, xi, yr, yi) => radix4(shape, xr, xi, yr, yi) };
  if (radix === 5) return { run: (xr, xi, yr, yi) => radix5(shape, xr, xi, yr, yi) };
  return genericStage(shape, radix);
}

interface StageShape {
  m: number;
  stride: number;
  spread: number;
  twCos: Float64Array;
  twSin: Float64Array;
}

function radix2(p: StageShape, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
  const { m, stride, spread, twCos, twSin } = p;
  for (let q = 0; q < m; q++) {
    const c1 = twCos[q * 2 + 1];
    const s1 = twSin[q * 2 + 1];
    for (let k = 0; k < stride; k++) {
      const from = k + stride * q;
      const to = k + stride * 2 * q;
      const a0r = xr[from];
      const a0i = xi[from];
      const a1r = xr[from + spread];
      const a1i = xi[from + spread];
      yr[to] = a0r + a1r;
      yi[to] = a0i + a1i;
      const br = a0r - a1r;
      const bi = a0i - a1i;
      yr[to + stride] = br * c1 - bi * s1;
      yi[to + stride] = br * s1 + bi * c1;
    }
  }
}

function radix4(p: StageShape, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
  const { m, stride, spread, twCos, twSin } = p;
  for (let q = 0; q < m; q++) {
    const t = q * 4;
    const c1 = twCos[t + 1];
    const s1 = twSin[t + 1];
    const c2 = twCos[t + 2];
    const s2 = twSin[t + 2];
    const c3 = twCos[t + 3];
    const s3 = twSin[t + 3];
    for (let k = 0; k < stride; k++) {
      const from = k + stride * q;
      const to = k + stride * 4 * q;
      const a0r = xr[from];
      const a0i = xi[from];
      const a1r = xr[from + spread];
      const a1i = xi[from + spread];
      const a2r = xr[from + 2 * spread];
      const a2i = xi[from + 2 * spread];
      const a3r = xr[from + 3 * spread];
      const a3i = xi[from + 3 * spread];
      const s02r = a0r + a2r;
      const s02i = a0i + a2i;
      const d02r = a0r - a2r;
      const d02i = a0i - a2i;
      const s13r = a1r + a3r;
      const s13i = a1i + a3i;
      // (a1 − a3)·(−i)
      const d13r = a1i - a3i;
      const d13i = a3r - a1r;
      yr[to] = s02r + s13r;
      yi[to] = s02i + s13i;
      let br = d02r + d13r;
      let bi = d02i + d13i;
      yr[to + stride] = br * c1 - bi * s1;
      yi[to + stride] = br * s1 + bi * c1;
      br = s02r - s13r;
      bi = s02i - s13i;
      yr[to + 2 * stride] = br * c2 - bi * s2;
      yi[to + 2 * stride] = br * s2 + bi * c2;
      br = d02r - d13r;
      bi = d02i - d13i;
      yr[to + 3 * stride] = br * c3 - bi * s3;
      yi[to + 3 * stride] = br * s3 + bi * c3;
    }
  }
}

const cos1 = Math.cos((2 * Math.PI) / 5);
const cos2 = Math.cos((4 * Math.PI) / 5);
const sin1 = Math.sin((2 * Math.PI) / 5);
const sin2 = Math.sin((4 * Math.PI) / 5);

function radix5(p: StageShape, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
  const { m, stride, spread, twCos, twSin } = p;
  for (let q = 0; q < m; q++) {
    const t = q * 5;
    for (let k = 0; k < stride; k++) {
      const from = k + stride * q;
      const to = k + stride * 5 * q;
      const a0r = xr[from];
      const a0i = xi[from];
      const a1r = xr[from + spread];
      const a1i = xi[from + spread];
      const a2r = xr[from + 2 * spread];
      const a2i = xi[from + 2 * spread];
      const a3r = xr[from + 3 * spread];
      const a3i = xi[from + 3 * spread];
      const a4r = xr[from + 4 * spread];
      const a4i = xi[from + 4 * spread];
      const t1r = a1r + a4r;
      const t1i = a1i + a4i;
      const t2r = a2r + a3r;
      const t2i = a2i + a3i;
      const t3r = a1r - a4r;
      const t3i = a1i - a4i;
      const t4r = a2r - a3r;
      const t4i = a2i - a3i;
      const b1r = a0r + cos1 * t1r + cos2 * t2r;
      const b1i = a0i + cos1 * t1i + cos2 * t2i;
      const b2r = a0r + cos2 * t1r + cos1 * t2r;
      const b2i = a0i + cos2 * t1i + cos1 * t2i;
      // u = s1·t3 + s2·t4 and v = s2·t3 − s1·t4; y1,4 = b1 ∓ i·u, y2,3 = b2 ∓ i·v.
      const ur = sin1 * t3r + sin2 * t4r;
      const ui = sin1 * t3i + sin2 * t4i;
      const vr = sin2 * t3r - sin1 * t4r;
      const vi = sin2 * t3i - sin1 * t4i;
      yr[to] = a0r + t1r + t2r;
      yi[to] = a0i + t1i + t2i;
      rotate(yr, yi, to + stride, b1r + ui, b1i - ur, twCos[t + 1], twSin[t + 1]);
      rotate(yr, yi, to + 2 * stride, b2r + vi, b2i - vr, twCos[t + 2], twSin[t + 2]);
      rotate(yr, yi, to + 3 * stride, b2r - vi, b2i + vr, twCos[t + 3], twSin[t + 3]);
      rotate(yr, yi, to + 4 * stride, b1r - ui, b1i + ur, twCos[t + 4], twSin[t + 4]);
    }
  }
}

/** Any other prime radix: a direct radix-point DFT per group (slow, never hit for Whisper). */
function genericStage(p: StageShape, radix: number): Stage {
  const dftCos = new Float64Array(radix * radix);
  const dftSin = new Float64Array(radix * radix);
  for (let r = 0; r < radix; r++) {
    for (let j = 0; j < radix; j++) {
      dftCos[r * radix + j] = Math.cos((-2 * Math.PI * ((r * j) % radix)) / radix);
      dftSin[r * radix + j] = Math.sin((-2 * Math.PI * ((r * j) % radix)) / radix);
    }
  }
  const ar = new Float64Array(radix);
  const ai = new Float64Array(radix);
  const { m, stride, spread, twCos, twSin } = p;
  return {
    run(xr, xi, yr, yi) {
      for (let q = 0; q < m; q++) {
        for (let k = 0; k < stride; k++) {
          const from = k + stride * q;
          const to = k + stride * radix * q;
          for (let j = 0; j < radix; j++) {
            ar[j] = xr[from + j * spread];
            ai[j] = xi[from + j * spread];
          }
          for (let r = 0; r < radix; r++) {
            let sr = 0;
            let si = 0;
            for (let j = 0; j < radix; j++) {
              const c = dftCos[r * radix + j];
              const s = dftSin[r * radix + j];
              sr += ar[j] * c - ai[j] * s;
              si += ar[j] * s + ai[j] * c;
            }
            rotate(yr, yi, to + r * stride, sr, si, twCos[q * radix + r], twSin[q * radix + r]);
          }
        }
      }
    },
  };
}

function rotate(
  yr: Float64Array,
  yi: Float64Array,
  at: number,
  br: number,
  bi: number,
  c: number,
  s: number,
): void {
  yr[at] = br * c - bi * s;
  yi[at] = br * s + bi * c;
}
