// The two TensorFlow messages a scalar event file needs, encoded with protobufjs from a
// descriptor defined here (field numbers of tensorflow/core/util/event.proto and
// tensorflow/core/framework/summary.proto; only the fields rdm2 writes).
import protobuf from 'protobufjs/light.js';

const root = protobuf.Root.fromJSON({
  nested: {
    tensorboard: {
      nested: {
        Event: {
          fields: {
            wallTime: { type: 'double', id: 1 },
            step: { type: 'int64', id: 2 },
            fileVersion: { type: 'string', id: 3 },
            summary: { type: 'Summary', id: 5 },
          },
        },
        Summary: {
          fields: { value: { rule: 'repeated', type: 'Value', id: 1 } },
          nested: {
            Value: {
              fields: {
                tag: { type: 'string', id: 1 },
                simpleValue: { type: 'float', id: 2 },
              },
            },
          },
        },
      },
    },
  },
});

const Event = root.lookupType('tensorboard.Event');

/** The first event of every file: the format version TensorBoard checks. */
export function fileVersionEvent(wallTime: number): Uint8Array {
  return Event.encode(Event.create({ wallTime, fileVersion: 'brain.Event:2' })).finish();
}

/**
 * One event holding scalar summaries at a training step. TensorBoard's scalars are float32
 * (`simple_value`), so each value is rounded to the nearest float32.
 */
export function scalarEvent(wallTime: number, step: number, values: readonly { tag: string; value: number }[]): Uint8Array {
  const message = Event.create({
    wallTime,
    step,
    summary: { value: values.map((v) => ({ tag: v.tag, simpleValue: v.value })) },
  });
  return Event.encode(message).finish();
}
