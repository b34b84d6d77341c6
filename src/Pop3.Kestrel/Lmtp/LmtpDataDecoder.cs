namespace Pop3.Kestrel.Lmtp;

/// <summary>
/// Undoes the dot-stuffing of DATA (RFC 5321 §4.5.2) as the bytes arrive, in any pieces: a line that starts with a
/// period loses that period, and the line <c>.</c> CRLF ends the message. Only CRLF ends a line: a bare LF or CR is
/// message data, so <c>LF . LF</c> never ends a message early (no SMTP smuggling). Everything else passes byte for byte.
/// </summary>
internal struct LmtpDataDecoder
{
    private State _state;

    private enum State
    {
        LineStart,
        Text,
        Cr,
        Dot,
        DotCr,
    }

    /// <summary>
    /// Decodes <paramref name="input"/> into <paramref name="output"/>, which must be one octet longer: decoding drops
    /// bytes, except that a CR held back after a leading period of the previous input may come out now.
    /// True when the end-of-data line was reached; <paramref name="consumed"/> then counts up to and including its LF,
    /// and the decoder is ready for the next message. Otherwise all of <paramref name="input"/> was consumed.
    /// </summary>
    public bool Decode(ReadOnlySpan<byte> input, Span<byte> output, out int consumed, out int written)
    {
        int i = 0, w = 0;
        while (i < input.Length)
        {
            if (_state != State.Text)
            {
                if (AtLineEdge(input[i], output, ref i, ref w))
                {
                    consumed = i;
                    written = w;
                    return true;
                }

                continue;
            }

            // Inside a line everything up to the next CR is data: copied in one go.
            var rest = input[i..];
            var cr = rest.IndexOf((byte)'\r');
            var take = cr < 0 ? rest.Length : cr + 1;
            rest[..take].CopyTo(output[w..]);
            w += take;
            i += take;
            if (cr >= 0)
            {
                _state = State.Cr;
            }
        }

        consumed = i;
        written = w;
        return false;
    }

    /// <summary>Forgets a message cut off part-way, for the next one.</summary>
    public void Reset() => _state = State.LineStart;

    /// <summary>One byte after a CR, at a line's start or after its leading period; true if it was the LF of the end-of-data line.</summary>
    private bool AtLineEdge(byte b, Span<byte> output, ref int i, ref int w)
    {
        switch (_state)
        {
            case State.Cr:
                if (b == (byte)'\n')
                {
                    output[w++] = b;
                    i++;
                    _state = State.LineStart;
                    return false;
                }

                break;

            case State.LineStart:
                if (b == (byte)'.')
                {
                    i++;
                    _state = State.Dot;
                    return false;
                }

                break;

            case State.Dot:
                // The leading period is dropped whatever follows; what follows is data.
                if (b == (byte)'\r')
                {
                    i++;
                    _state = State.DotCr;
                    return false;
                }

                break;

            default:
                if (b == (byte)'\n')
                {
                    i++;
                    _state = State.LineStart;
                    return true;
                }

                // "." CR then not LF: the period goes, the CR stays.
                output[w++] = (byte)'\r';
                _state = State.Cr;
                return false;
        }

        _state = State.Text;
        return false;
    }
}
