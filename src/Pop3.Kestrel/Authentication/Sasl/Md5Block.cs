using System.Buffers.Binary;
using System.Numerics;

namespace Pop3.Kestrel.Authentication.Sasl;

/// <summary>
/// MD5's compression function (RFC 1321) applied to one 64-byte block from the initial chaining values.
/// .NET does not expose MD5's intermediate state, which is what Dovecot stores for CRAM-MD5.
/// </summary>
internal static class Md5Block
{
    private static readonly uint[] K = CreateK();

    private static readonly int[] Shifts =
    [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];

    /// <summary>Writes A, B, C, D (little-endian) after compressing <paramref name="block"/> into the MD5 IV.</summary>
    public static void Compress(ReadOnlySpan<byte> block, Span<byte> state) =>
        Compress(block, 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, state);

    /// <summary>
    /// Writes A, B, C, D (little-endian) after compressing <paramref name="block"/> into the chaining values
    /// <paramref name="initial"/> (16 bytes, little-endian): the step that continues a hash from a stored state.
    /// </summary>
    public static void Compress(ReadOnlySpan<byte> block, ReadOnlySpan<byte> initial, Span<byte> state) =>
        Compress(
            block,
            BinaryPrimitives.ReadUInt32LittleEndian(initial),
            BinaryPrimitives.ReadUInt32LittleEndian(initial[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(initial[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(initial[12..]),
            state);

    /// <summary>
    /// MD5 of (<paramref name="prefixLength"/> octets already compressed into <paramref name="initial"/>) followed by
    /// <paramref name="data"/>; <paramref name="prefixLength"/> is a multiple of 64. Writes the 16-byte digest.
    /// </summary>
    public static void HashFrom(ReadOnlySpan<byte> initial, long prefixLength, ReadOnlySpan<byte> data, Span<byte> digest)
    {
        var bits = (ulong)(prefixLength + data.Length) * 8;
        Span<byte> state = stackalloc byte[16];
        initial[..16].CopyTo(state);
        Span<byte> block = stackalloc byte[64];
        while (data.Length >= 64)
        {
            Compress(data[..64], state, state);
            data = data[64..];
        }

        // Padding (RFC 1321 §3.1–3.2): 0x80, zeros, then the total length in bits, little-endian.
        block.Clear();
        data.CopyTo(block);
        block[data.Length] = 0x80;
        if (data.Length >= 56)
        {
            Compress(block, state, state);
            block.Clear();
        }

        BinaryPrimitives.WriteUInt64LittleEndian(block[56..], bits);
        Compress(block, state, state);
        state.CopyTo(digest);
    }

    private static void Compress(ReadOnlySpan<byte> block, uint a0, uint b0, uint c0, uint d0, Span<byte> state)
    {
        Span<uint> m = stackalloc uint[16];
        for (var i = 0; i < 16; i++)
        {
            m[i] = BinaryPrimitives.ReadUInt32LittleEndian(block[(i * 4)..]);
        }

        uint a = a0, b = b0, c = c0, d = d0;
        for (var i = 0; i < 64; i++)
        {
            uint f;
            int g;
            switch (i / 16)
            {
                case 0:
                    f = (b & c) | (~b & d);
                    g = i;
                    break;
                case 1:
                    f = (d & b) | (~d & c);
                    g = ((5 * i) + 1) % 16;
                    break;
                case 2:
                    f = b ^ c ^ d;
                    g = ((3 * i) + 5) % 16;
                    break;
                default:
                    f = c ^ (b | ~d);
                    g = (7 * i) % 16;
                    break;
            }

            f = f + a + K[i] + m[g];
            a = d;
            d = c;
            c = b;
            b += BitOperations.RotateLeft(f, Shifts[i]);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(state, a0 + a);
        BinaryPrimitives.WriteUInt32LittleEndian(state[4..], b0 + b);
        BinaryPrimitives.WriteUInt32LittleEndian(state[8..], c0 + c);
        BinaryPrimitives.WriteUInt32LittleEndian(state[12..], d0 + d);
        m.Clear();
    }

    private static uint[] CreateK()
    {
        var k = new uint[64];
        for (var i = 0; i < 64; i++)
        {
            k[i] = (uint)(long)Math.Floor(Math.Abs(Math.Sin(i + 1)) * 4294967296.0);
        }

        return k;
    }
}
