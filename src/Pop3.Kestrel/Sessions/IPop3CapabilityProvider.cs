namespace Pop3.Kestrel.Sessions;

/// <summary>Adds lines to the CAPA reply (RFC 2449), e.g. STLS or SASL, from what really works on this connection now.</summary>
internal interface IPop3CapabilityProvider
{
    /// <summary>Writes zero or more capability lines with <see cref="Pop3SessionContext.WriteAscii"/>.</summary>
    void WriteCapabilities(Pop3SessionContext context);
}
