//! Hello messages on `__sentinel__:hello`: building and parsing the 8-field payload (§5, §9.4).
//! (Placeholder until the pure-functions work lands.)

#[derive(Debug, PartialEq, Eq)]
pub struct Hello<'a> {
    pub sentinel_ip: &'a str,
    pub sentinel_port: u16,
    pub runid: &'a str,
    pub current_epoch: u64,
    pub master_name: &'a str,
    pub master_ip: &'a str,
    pub master_port: u16,
    pub master_config_epoch: u64,
}

#[derive(Debug, PartialEq, Eq)]
pub struct HelloError;

pub fn parse_hello(payload: &[u8]) -> Result<Hello<'_>, HelloError> {
    let s = std::str::from_utf8(payload).map_err(|_| HelloError)?;
    let f: Vec<&str> = s.split(',').collect();
    let [ip, port, runid, epoch, name, mip, mport, mepoch] = f[..] else {
        return Err(HelloError);
    };
    Ok(Hello {
        sentinel_ip: ip,
        sentinel_port: port.parse().map_err(|_| HelloError)?,
        runid,
        current_epoch: epoch.parse().map_err(|_| HelloError)?,
        master_name: name,
        master_ip: mip,
        master_port: mport.parse().map_err(|_| HelloError)?,
        master_config_epoch: mepoch.parse().map_err(|_| HelloError)?,
    })
}
