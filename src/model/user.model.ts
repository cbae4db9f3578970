import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/** Input of UserRepository.createUser (Python `UserCreate`). `password` is already a hash. */
export class UserCreate {
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  username!: string;

  @IsOptional()
  @IsString()
  password?: string | null = null;

  @IsString()
  @IsNotEmpty()
  role?: string = 'user';

  @IsOptional()
  @IsString()
  auth0_sub?: string | null = null;

  @IsOptional()
  @IsString()
  name?: string | null = null;

  @IsOptional()
  @IsString()
  picture?: string | null = null;

  /** Falls back to `username` when empty. */
  @IsOptional()
  @IsString()
  email?: string | null = null;
}

/** A user as the legacy API returns it: the `password_hash` column under the key `password`. */
export interface UserDict {
  id: number;
  username: string;
  password: string | null;
  role: string;
  auth0_sub: string | null;
  name: string | null;
  picture: string | null;
  email: string | null;
  created_at: Date;
  updated_at: Date;
  last_login: Date | null;
}

/** `list_users` rows: a UserDict without the password. */
export type UserListRow = Omit<UserDict, 'password'>;

/** The profile fields `update_user` honours; a null clears the column. */
export type UserProfileUpdate = Partial<Pick<UserDict, 'name' | 'picture' | 'role' | 'email'>>;
