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
            switch (_state)
            {
                case State.Text:
                    var rest = input[i..];
                    var cr = rest.IndexOf((byte)'\r');
                    if (cr < 0)
                    {
                        rest.CopyTo(output[w..]);
                        w += rest.Length;
                        i = input.Length;
                    }
                    else
                    {
                        rest[..(cr + 1)].CopyTo(output[w..]);
                        w += cr + 1;
                        i += cr + 1;
                        _state = State.Cr;
                    }

                    break;

                case State.Cr:
                    if (input[i] == (byte)'\n')
                    {
                        output[w++] = (byte)'\n';
                        i++;
                        _state = State.LineStart;
                    }
                    else
                    {
                        _state = State.Text;
                    }

                    break;

                case State.LineStart:
                    if (input[i] == (byte)'.')
                    {
                        i++;
                        _state = State.Dot;
                    }
                    else
                    {
                        _state = State.Text;
                    }

                    break;

                case State.Dot:
                    // The leading period is dropped whatever follows; what follows is data.
                    if (input[i] == (byte)'\r')
                    {
                        i++;
                        _state = State.DotCr;
                    }
                    else
                    {
                        _state = State.Text;
                    }

                    break;

                case State.DotCr:
                    if (input[i] == (byte)'\n')
                    {
                        consumed = i + 1;
                        written = w;
                        _state = State.LineStart;
                        return true;
                    }

                    // "." CR then not LF: the period goes, the CR stays.
                    output[w++] = (byte)'\r';
                    _state = State.Cr;
                    break;
            }
        }

        consumed = i;
        written = w;
        return false;
    }

    /// <summary>Forgets a message cut off part-way, for the next one.</summary>
    public void Reset() => _state = State.LineStart;
}
