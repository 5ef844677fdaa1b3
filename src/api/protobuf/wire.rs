//! The protobuf wire format, read side: varints, tags and length-delimited payloads over a byte
//! slice. Every length is checked against what is left, so a hostile body ends in an error,
//! never a panic or an oversized allocation. Calls nothing else in the crate but the error type.

use super::ProtobufError;

/// How a field's payload is laid out on the wire (the low three bits of a tag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WireType {
    Varint,
    Fixed64,
    LengthDelimited,
    StartGroup,
    EndGroup,
    Fixed32,
}

impl WireType {
    fn from_bits(bits: u64) -> Option<Self> {
        Some(match bits {
            0 => Self::Varint,
            1 => Self::Fixed64,
            2 => Self::LengthDelimited,
            3 => Self::StartGroup,
            4 => Self::EndGroup,
            5 => Self::Fixed32,
            _ => return None,
        })
    }

    /// The number gogo-protobuf prints in its `wrong wireType = N` errors.
    pub(crate) fn number(self) -> u8 {
        match self {
            Self::Varint => 0,
            Self::Fixed64 => 1,
            Self::LengthDelimited => 2,
            Self::StartGroup => 3,
            Self::EndGroup => 4,
            Self::Fixed32 => 5,
        }
    }
}

/// One field as it appeared on the wire, its payload not yet interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Payload<'a> {
    Varint(u64),
    Fixed64(u64),
    Fixed32(u32),
    Bytes(&'a [u8]),
}

impl Payload<'_> {
    pub(crate) fn wire_type(&self) -> WireType {
        match self {
            Self::Varint(_) => WireType::Varint,
            Self::Fixed64(_) => WireType::Fixed64,
            Self::Fixed32(_) => WireType::Fixed32,
            Self::Bytes(_) => WireType::LengthDelimited,
        }
    }
}

/// A cursor over the encoding of one message.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    /// A base-128 varint of at most ten bytes, as `uint64`.
    pub(crate) fn varint(&mut self) -> Result<u64, ProtobufError> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let Some(&byte) = self.buf.get(self.pos) else {
                return Err(ProtobufError::UnexpectedEof);
            };
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Ok(value);
            }
        }
        Err(ProtobufError::IntegerOverflow)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ProtobufError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.buf.len())
            .ok_or(ProtobufError::UnexpectedEof)?;
        let bytes = &self.buf[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }

    fn fixed<const N: usize>(&mut self) -> Result<[u8; N], ProtobufError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub(crate) fn fixed32(&mut self) -> Result<u32, ProtobufError> {
        Ok(u32::from_le_bytes(self.fixed::<4>()?))
    }

    pub(crate) fn fixed64(&mut self) -> Result<u64, ProtobufError> {
        Ok(u64::from_le_bytes(self.fixed::<8>()?))
    }

    /// The next field: its number and payload. Groups (never used by Kubernetes) are refused
    /// with the texts gogo-protobuf's generated code uses.
    pub(crate) fn field(&mut self) -> Result<(u32, Payload<'a>), ProtobufError> {
        let tag = self.varint()?;
        let number = tag >> 3;
        let wire = WireType::from_bits(tag & 7).ok_or(ProtobufError::IllegalTag {
            number,
            wire: (tag & 7) as u8,
        })?;
        if number == 0 || number > u64::from(u32::MAX >> 3) {
            return Err(ProtobufError::IllegalTag {
                number,
                wire: wire.number(),
            });
        }
        let payload = match wire {
            WireType::Varint => Payload::Varint(self.varint()?),
            WireType::Fixed64 => Payload::Fixed64(self.fixed64()?),
            WireType::Fixed32 => Payload::Fixed32(self.fixed32()?),
            WireType::LengthDelimited => {
                let len = self.varint()?;
                let len = usize::try_from(len).map_err(|_| ProtobufError::InvalidLength)?;
                Payload::Bytes(self.take(len)?)
            }
            WireType::StartGroup => return Err(ProtobufError::Group("start")),
            WireType::EndGroup => return Err(ProtobufError::Group("end")),
        };
        Ok((number as u32, payload))
    }
}

/// Every field of a message, in wire order.
pub(crate) fn fields(
    buf: &[u8],
) -> impl Iterator<Item = Result<(u32, Payload<'_>), ProtobufError>> {
    let mut reader = Reader::new(buf);
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed || reader.is_empty() {
            return None;
        }
        let next = reader.field();
        failed = next.is_err();
        Some(next)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_decode_including_ten_byte_negatives() {
        assert_eq!(Reader::new(&[0x00]).varint(), Ok(0));
        assert_eq!(Reader::new(&[0xac, 0x02]).varint(), Ok(300));
        let minus_one = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(Reader::new(&minus_one).varint(), Ok(u64::MAX));
    }

    #[test]
    fn overlong_and_truncated_varints_are_errors() {
        assert_eq!(
            Reader::new(&[0xff; 11]).varint(),
            Err(ProtobufError::IntegerOverflow)
        );
        assert_eq!(
            Reader::new(&[0x80, 0x80]).varint(),
            Err(ProtobufError::UnexpectedEof)
        );
    }

    #[test]
    fn fields_read_every_wire_type() {
        // 1: varint 150, 2: "hi", 3: fixed32 1, 4: fixed64 2
        let buf = [
            0x08, 0x96, 0x01, 0x12, 0x02, b'h', b'i', 0x1d, 1, 0, 0, 0, 0x21, 2, 0, 0, 0, 0, 0, 0,
            0,
        ];
        let got: Result<Vec<_>, _> = fields(&buf).collect();
        assert_eq!(
            got,
            Ok(vec![
                (1, Payload::Varint(150)),
                (2, Payload::Bytes(b"hi")),
                (3, Payload::Fixed32(1)),
                (4, Payload::Fixed64(2)),
            ])
        );
    }

    #[test]
    fn lengths_past_the_end_are_refused() {
        let huge = [0x12, 0xff, 0xff, 0xff, 0xff, 0x0f, b'x'];
        assert_eq!(
            fields(&huge).collect::<Result<Vec<_>, _>>(),
            Err(ProtobufError::UnexpectedEof)
        );
    }

    #[test]
    fn bad_tags_are_refused() {
        assert!(matches!(
            Reader::new(&[0x0e, 0]).field(),
            Err(ProtobufError::IllegalTag { wire: 6, .. })
        ));
        assert!(matches!(
            Reader::new(&[0x00, 0]).field(),
            Err(ProtobufError::IllegalTag { number: 0, .. })
        ));
        assert_eq!(
            Reader::new(&[0x0b]).field(),
            Err(ProtobufError::Group("start"))
        );
    }
}
