//! People: owners and residents (persons and organisations), their ownership of houses and
//! their occupancies, with ID numbers and bank accounts encrypted at rest and shown masked.
