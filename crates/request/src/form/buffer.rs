//! A part body held in memory while it arrives in `Data` events.

use bytes::{Bytes, BytesMut};

/// The bytes of one part so far. Most small parts arrive in one event:
/// that `Bytes` is kept as is, and copying starts only with a second one.
#[derive(Debug, Default)]
pub(crate) enum PartBuffer {
    #[default]
    Empty,
    One(Bytes),
    Many(BytesMut),
}

impl PartBuffer {
    pub(crate) fn len(&self) -> usize {
        match self {
            PartBuffer::Empty => 0,
            PartBuffer::One(b) => b.len(),
            PartBuffer::Many(b) => b.len(),
        }
    }

    pub(crate) fn push(&mut self, data: Bytes) {
        *self = match std::mem::take(self) {
            PartBuffer::Empty => PartBuffer::One(data),
            PartBuffer::One(first) => {
                let mut many = BytesMut::with_capacity(first.len().saturating_add(data.len()));
                many.extend_from_slice(&first);
                many.extend_from_slice(&data);
                PartBuffer::Many(many)
            }
            PartBuffer::Many(mut many) => {
                many.extend_from_slice(&data);
                PartBuffer::Many(many)
            }
        };
    }

    pub(crate) fn into_bytes(self) -> Bytes {
        match self {
            PartBuffer::Empty => Bytes::new(),
            PartBuffer::One(b) => b,
            PartBuffer::Many(b) => b.freeze(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concatenates_every_push() {
        let cases: &[&[&str]] = &[&[], &["a"], &["ab", "c"], &["a", "", "bc", "d"]];
        for chunks in cases {
            let mut buffer = PartBuffer::default();
            for c in *chunks {
                buffer.push(Bytes::copy_from_slice(c.as_bytes()));
            }
            let want = chunks.concat();
            assert_eq!(buffer.len(), want.len(), "{chunks:?}");
            assert_eq!(buffer.into_bytes(), want.as_bytes(), "{chunks:?}");
        }
    }
}
