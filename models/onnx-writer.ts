/**
 * Just enough of the ONNX protobuf format to build small computation graphs at run time (the 1:N
 * similarity search is one Gemm), so the heavy arithmetic runs in ONNX Runtime's SIMD kernels.
 */

class Writer {
  private parts: Buffer[] = [];
  varint(n: number | bigint): this {
    let v = BigInt(n);
    const bytes: number[] = [];
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) b |= 0x80;
      bytes.push(b);
    } while (v > 0n);
    this.parts.push(Buffer.from(bytes));
    return this;
  }
  tag(field: number, wire: 0 | 2): this {
    return this.varint((field << 3) | wire);
  }
  int(field: number, n: number): this {
    return this.tag(field, 0).varint(n);
  }
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2).varint(b.length);
    this.parts.push(Buffer.from(b));
    return this;
  }
  str(field: number, s: string): this {
    return this.bytes(field, Buffer.from(s, 'utf8'));
  }
  msg(field: number, w: Writer): this {
    return this.bytes(field, w.done());
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** ONNX TensorProto.DataType values. */
export const ElemType = { float: 1, uint8: 2, int8: 3, int32: 6 } as const;

export interface TensorInfo {
  name: string;
  /** A number for a fixed dimension, a string for a symbolic one. */
  dims: (number | string)[];
  type?: keyof typeof ElemType;
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  intAttrs?: Record<string, number>;
}

function valueInfo(t: TensorInfo): Writer {
  const shape = new Writer();
  for (const d of t.dims) shape.msg(1, typeof d === 'number' ? new Writer().int(1, d) : new Writer().str(2, d));
  const tensorType = new Writer().int(1, ElemType[t.type ?? 'float']).msg(2, shape);
  return new Writer().str(1, t.name).msg(2, new Writer().msg(1, tensorType));
}

/** Serialises a single-graph ONNX model (IR 7, default opset 13). */
export function buildModel(spec: { inputs: TensorInfo[]; outputs: TensorInfo[]; nodes: NodeSpec[]; opset?: number }): Buffer {
  const graph = new Writer();
  spec.nodes.forEach((n, i) => {
    const node = new Writer();
    for (const x of n.inputs) node.str(1, x);
    for (const y of n.outputs) node.str(2, y);
    node.str(3, `${n.op}_${i}`).str(4, n.op);
    for (const [k, v] of Object.entries(n.intAttrs ?? {})) node.msg(5, new Writer().str(1, k).int(3, v).int(20, 2));
    graph.msg(1, node);
  });
  graph.str(2, 'estation');
  for (const t of spec.inputs) graph.msg(11, valueInfo(t));
  for (const t of spec.outputs) graph.msg(12, valueInfo(t));
  return new Writer()
    .int(1, 7)
    .str(2, 'e-station')
    .msg(7, graph)
    .msg(8, new Writer().str(1, '').int(2, spec.opset ?? 13))
    .done();
}
